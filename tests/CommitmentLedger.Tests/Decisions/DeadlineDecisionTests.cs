using CommitmentLedger.Commitments;
using CommitmentLedger.Deadlines;

namespace CommitmentLedger.Tests.Decisions;

public class DeadlineDecisionTests
{
    private static readonly DateOnly Due = new(2022, 12, 31);
    private static readonly DateTimeOffset EndOfDueDay = new(2023, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static Commitment Open(DateOnly? dueOn = null, DateOnly? missedFor = null) => new()
    {
        Id = Guid.NewGuid(), Status = LifecycleStatus.InProgress, MadeOn = new(2021, 11, 23), DueOn = dueOn ?? Due,
        DeadlineMissedFor = missedFor,
    };

    [Fact]
    public void the_due_date_passes_at_the_end_of_its_day_not_before()
    {
        DeadlineSchedule.Decide(Open(), new DeadlineCheck(Guid.Empty, Due), EndOfDueDay.AddTicks(-1)).ShouldBe(DeadlineOutcome.NotYet);
        DeadlineSchedule.Decide(Open(), new DeadlineCheck(Guid.Empty, Due), EndOfDueDay).ShouldBe(DeadlineOutcome.Missed);
    }

    [Fact]
    public void a_moved_date_a_terminal_status_or_a_miss_already_recorded_make_the_check_moot()
    {
        var check = new DeadlineCheck(Guid.Empty, Due);
        var later = EndOfDueDay.AddDays(10);
        DeadlineSchedule.Decide(Open(dueOn: Due.AddDays(1)), check, later).ShouldBe(DeadlineOutcome.Moot);
        DeadlineSchedule.Decide(Open() with { Status = LifecycleStatus.Cancelled }, check, later).ShouldBe(DeadlineOutcome.Moot);
        DeadlineSchedule.Decide(Open(missedFor: Due), check, later).ShouldBe(DeadlineOutcome.Moot);
        DeadlineSchedule.Decide(null, check, later).ShouldBe(DeadlineOutcome.Moot);
    }

    [Fact]
    public void the_delay_follows_the_ledger_clock_and_is_never_negative()
    {
        var clock = new TestClock();
        clock.MoveTo(EndOfDueDay.AddHours(-2));
        DeadlineSchedule.Until(EndOfDueDay, clock).ShouldBeInRange(TimeSpan.FromMinutes(119), TimeSpan.FromHours(2));
        clock.MoveTo(EndOfDueDay.AddDays(3));
        DeadlineSchedule.Until(EndOfDueDay, clock).ShouldBe(TimeSpan.Zero);
    }
}

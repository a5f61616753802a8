using CommitmentLedger.Commitments;

namespace CommitmentLedger.Tests.Decisions;

public class ProgressAndDueDateDecisionTests
{
    private static readonly DateOnly Today = new(2026, 11, 25);
    private static readonly DateOnly MadeOn = new(2021, 11, 23);

    private static Commitment Commitment(LifecycleStatus status = LifecycleStatus.InProgress, DateOnly? dueOn = null) =>
        new() { Id = Guid.NewGuid(), Status = status, MadeOn = MadeOn, StatusSince = MadeOn, DueOn = dueOn };

    [Fact]
    public void progress_without_a_date_happened_today_and_keeps_its_evidence()
    {
        EvidenceLink[] evidence = [new("MOD press release", "https://www.mod.go.jp/")];
        var decision = ReportProgressEndpoint.Decide(Commitment(), new ReportProgress("Team dispatched", null, evidence), Today);

        var reported = decision.ShouldBeOfType<Decision.Accepted>().Events.ShouldHaveSingleItem().ShouldBeOfType<ProgressReported>();
        reported.EffectiveOn.ShouldBe(Today);
        reported.Note.ShouldBe("Team dispatched");
        reported.Evidence.ShouldBe(evidence);
    }

    [Theory]
    [InlineData(LifecycleStatus.Completed)]
    [InlineData(LifecycleStatus.Cancelled)]
    [InlineData(LifecycleStatus.Superseded)]
    public void progress_on_a_terminal_commitment_is_a_conflict(LifecycleStatus status)
    {
        ReportProgressEndpoint.Decide(Commitment(status), new ReportProgress("late note", null, []), Today)
            .ShouldBeOfType<Decision.Conflict>().Detail.ShouldContain(Vocabulary.Word(status));
    }

    [Fact]
    public void moving_the_due_date_records_where_it_was()
    {
        var decision = SetDueDateEndpoint.Decide(Commitment(dueOn: new DateOnly(2022, 6, 30)),
            new SetDueDate(new DateOnly(2022, 12, 31), "talks delayed"), Today);

        var set = decision.ShouldBeOfType<Decision.Accepted>().Events.ShouldHaveSingleItem().ShouldBeOfType<DueDateSet>();
        set.PreviousDueOn.ShouldBe(new DateOnly(2022, 6, 30));
        set.DueOn.ShouldBe(new DateOnly(2022, 12, 31));
        set.Reason.ShouldBe("talks delayed");
    }

    [Fact]
    public void setting_the_same_due_date_again_appends_nothing()
    {
        SetDueDateEndpoint.Decide(Commitment(dueOn: new DateOnly(2022, 6, 30)), new SetDueDate(new DateOnly(2022, 6, 30), "same"), Today)
            .ShouldBeOfType<Decision.Accepted>().Events.ShouldBeEmpty();
    }

    [Fact]
    public void a_due_date_before_the_commitment_was_made_names_dueOn()
    {
        SetDueDateEndpoint.Decide(Commitment(), new SetDueDate(new DateOnly(2020, 1, 1), "x"), Today)
            .ShouldBeOfType<Decision.Invalid>().Field.ShouldBe("dueOn");
    }

    [Fact]
    public void overdue_is_derived_from_the_due_date_the_day_and_a_non_terminal_status()
    {
        var due = new DateOnly(2022, 6, 30);
        Commitment(dueOn: due).IsOverdueOn(due).ShouldBeFalse();
        Commitment(dueOn: due).IsOverdueOn(due.AddDays(1)).ShouldBeTrue();
        Commitment(LifecycleStatus.Completed, due).IsOverdueOn(due.AddDays(1)).ShouldBeFalse();
        Commitment().IsOverdueOn(Today).ShouldBeFalse();
    }
}

using CommitmentLedger.Commitments;

namespace CommitmentLedger.Tests.Decisions;

/// <summary>The whole lifecycle table of DESIGN.md §2, move by move, through the pure decision.</summary>
public class LifecycleTests
{
    private static readonly DateOnly Today = new(2026, 11, 25);

    private static readonly (LifecycleStatus From, LifecycleStatus To)[] Allowed =
    [
        (LifecycleStatus.Declared, LifecycleStatus.InProgress),
        (LifecycleStatus.Declared, LifecycleStatus.Suspended),
        (LifecycleStatus.Declared, LifecycleStatus.Cancelled),
        (LifecycleStatus.Declared, LifecycleStatus.Superseded),
        (LifecycleStatus.InProgress, LifecycleStatus.Completed),
        (LifecycleStatus.InProgress, LifecycleStatus.Suspended),
        (LifecycleStatus.InProgress, LifecycleStatus.Cancelled),
        (LifecycleStatus.InProgress, LifecycleStatus.Superseded),
        (LifecycleStatus.Suspended, LifecycleStatus.InProgress),
        (LifecycleStatus.Suspended, LifecycleStatus.Cancelled),
        (LifecycleStatus.Suspended, LifecycleStatus.Superseded),
    ];

    public static TheoryData<LifecycleStatus, LifecycleStatus> AllowedMoves()
    {
        var data = new TheoryData<LifecycleStatus, LifecycleStatus>();
        foreach (var (from, to) in Allowed) data.Add(from, to);
        return data;
    }

    public static TheoryData<LifecycleStatus, LifecycleStatus> ForbiddenMoves()
    {
        var data = new TheoryData<LifecycleStatus, LifecycleStatus>();
        foreach (var from in Enum.GetValues<LifecycleStatus>())
        foreach (var to in Enum.GetValues<LifecycleStatus>())
        {
            if (!Allowed.Contains((from, to))) data.Add(from, to);
        }
        return data;
    }

    private static Commitment InStatus(LifecycleStatus status) => new()
    {
        Id = Guid.NewGuid(),
        Status = status,
        MadeOn = new DateOnly(2021, 11, 23),
        StatusSince = new DateOnly(2021, 11, 23),
    };

    [Theory]
    [MemberData(nameof(AllowedMoves))]
    public void an_allowed_move_appends_one_status_change(LifecycleStatus from, LifecycleStatus to)
    {
        var decision = ChangeStatusEndpoint.Decide(InStatus(from), new ChangeStatus(to, "talks resumed", null), Today);

        var accepted = decision.ShouldBeOfType<Decision.Accepted>();
        var changed = accepted.Events.ShouldHaveSingleItem().ShouldBeOfType<StatusChanged>();
        changed.From.ShouldBe(from);
        changed.To.ShouldBe(to);
        changed.Reason.ShouldBe("talks resumed");
        changed.EffectiveOn.ShouldBe(Today);
    }

    [Theory]
    [MemberData(nameof(ForbiddenMoves))]
    public void a_forbidden_move_is_a_conflict_that_names_both_statuses(LifecycleStatus from, LifecycleStatus to)
    {
        var decision = ChangeStatusEndpoint.Decide(InStatus(from), new ChangeStatus(to, "why not", null), Today);

        var conflict = decision.ShouldBeOfType<Decision.Conflict>();
        conflict.Detail.ShouldContain(Vocabulary.Word(from));
        conflict.Detail.ShouldContain(Vocabulary.Word(to));
    }

    [Theory]
    [InlineData(LifecycleStatus.Completed)]
    [InlineData(LifecycleStatus.Cancelled)]
    [InlineData(LifecycleStatus.Superseded)]
    public void terminal_statuses_have_no_way_out(LifecycleStatus status)
    {
        Lifecycle.IsTerminal(status).ShouldBeTrue();
        Lifecycle.MovesFrom(status).ShouldBeEmpty();
    }

    [Fact]
    public void a_status_change_keeps_its_back_dated_effective_date()
    {
        var decision = ChangeStatusEndpoint.Decide(InStatus(LifecycleStatus.Declared),
            new ChangeStatus(LifecycleStatus.InProgress, "first talks", new DateOnly(2022, 3, 1)), Today);

        decision.ShouldBeOfType<Decision.Accepted>().Events.OfType<StatusChanged>().Single().EffectiveOn
            .ShouldBe(new DateOnly(2022, 3, 1));
    }

    [Fact]
    public void a_status_change_before_the_commitment_was_made_names_effectiveOn()
    {
        var decision = ChangeStatusEndpoint.Decide(InStatus(LifecycleStatus.Declared),
            new ChangeStatus(LifecycleStatus.InProgress, "x", new DateOnly(2021, 1, 1)), Today);

        decision.ShouldBeOfType<Decision.Invalid>().Field.ShouldBe("effectiveOn");
    }

    [Fact]
    public void a_status_change_in_the_future_names_effectiveOn()
    {
        var decision = ChangeStatusEndpoint.Decide(InStatus(LifecycleStatus.Declared),
            new ChangeStatus(LifecycleStatus.InProgress, "x", Today.AddDays(1)), Today);

        decision.ShouldBeOfType<Decision.Invalid>().Field.ShouldBe("effectiveOn");
    }
}

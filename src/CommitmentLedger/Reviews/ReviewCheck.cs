using CommitmentLedger.Commitments;
using CommitmentLedger.Deadlines;
using CommitmentLedger.Infrastructure;
using Marten;
using Wolverine;

namespace CommitmentLedger.Reviews;

/// <summary><c>Ledger:Reviews:DefaultPeriod</c>: the review period of commitments that have neither their own nor a due date.</summary>
public sealed record ReviewSettings(ReviewPeriod? DefaultPeriod)
{
    public const string DefaultPeriodKey = "Ledger:Reviews:DefaultPeriod";

    /// <summary>P6M unless configured; an empty value turns default reviews off; a malformed one stops the start.</summary>
    public static ReviewSettings From(IConfiguration configuration) => configuration[DefaultPeriodKey] switch
    {
        null => new(ReviewPeriod.Parse("P6M")),
        "" => new((ReviewPeriod?)null),
        var text => new(ReviewPeriod.TryParse(text, out var period, out var error)
            ? period
            : throw new InvalidOperationException($"{DefaultPeriodKey} '{text}' {error}")),
    };

    public ReviewPeriod? PeriodOf(Commitment c) =>
        c.ReviewEvery is { } own ? ReviewPeriod.Parse(own) : c.DueOn is null ? DefaultPeriod : null;
}

/// <summary>
/// A durable scheduled message: "look whether this commitment's review is due". One runs per commitment that has a
/// review period, each delivery scheduling the next, so progress (which moves the next date) needs no scheduling.
/// </summary>
public sealed record ReviewCheck(Guid CommitmentId);

public abstract record ReviewOutcome
{
    /// <summary>No period (a due date came, or none configured), terminal, or gone: the checks stop.</summary>
    public sealed record Stop : ReviewOutcome;
    public sealed record NotYet(DateOnly NextOn) : ReviewOutcome;
    public sealed record Due(ReviewDue Entry, DateOnly NextOn) : ReviewOutcome;
}

public static class ReviewSchedule
{
    /// <summary>The next review date: one period after the latest of madeOn, the latest progress and the last review due.</summary>
    public static DateOnly NextOn(Commitment c, ReviewPeriod period)
    {
        var since = new[] { c.MadeOn, c.LastProgress?.EffectiveOn ?? c.MadeOn, c.LastReviewDueOn ?? c.MadeOn }.Max();
        return period.After(since);
    }

    public static ReviewOutcome Decide(Commitment? state, ReviewSettings settings, DateOnly today)
    {
        if (state is null || state.IsTerminal || settings.PeriodOf(state) is not { } period)
        {
            return new ReviewOutcome.Stop();
        }
        var next = NextOn(state, period);
        return next > today
            ? new ReviewOutcome.NotYet(next)
            : new ReviewOutcome.Due(new ReviewDue(next, period.Text, today), period.After(today));
    }

    /// <summary>A review date arrives at the start of its day (UTC), by the ledger's clock.</summary>
    public static TimeSpan Until(DateOnly date, TimeProvider clock) =>
        DeadlineSchedule.Until(new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), clock);

    public static DeliveryMessage<ReviewCheck> CheckOn(Guid id, DateOnly date, TimeProvider clock) =>
        new ReviewCheck(id).DelayedFor(Until(date, clock));

    /// <summary>Starts the checks of a commitment being recorded, in the recording's outbox; none when it has no period.</summary>
    public static async Task Start(IMessageBus bus, Guid id, CommitmentRecorded recorded, ReviewPeriod? own,
        ReviewSettings settings, TimeProvider clock)
    {
        if ((own ?? (recorded.DueOn is null ? settings.DefaultPeriod : null)) is { } period)
        {
            await bus.ScheduleAsync(new ReviewCheck(id), Until(period.After(recorded.MadeOn), clock));
        }
    }
}

public static class ReviewCheckHandler
{
    public static async Task<OutgoingMessages> Handle(ReviewCheck check, IDocumentSession session, ReviewSettings settings,
        TimeProvider clock, CancellationToken ct)
    {
        var outgoing = new OutgoingMessages();
        var stream = await session.Events.FetchForWriting<Commitment>(check.CommitmentId, ct);
        switch (ReviewSchedule.Decide(stream.Aggregate, settings, clock.Today()))
        {
            case ReviewOutcome.Due due:
                session.LastModifiedBy = "system:reviews";
                stream.AppendOne(due.Entry);
                outgoing.Add(ReviewSchedule.CheckOn(check.CommitmentId, due.NextOn, clock));
                break;
            case ReviewOutcome.NotYet notYet:
                outgoing.Add(ReviewSchedule.CheckOn(check.CommitmentId, notYet.NextOn, clock));
                break;
        }
        return outgoing;
    }
}

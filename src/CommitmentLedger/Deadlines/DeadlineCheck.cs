using CommitmentLedger.Commitments;
using CommitmentLedger.Infrastructure;
using Marten;
using Wolverine;

namespace CommitmentLedger.Deadlines;

/// <summary>
/// A durable scheduled message (Wolverine's PostgreSQL inbox): "the due date <see cref="DueOn"/> of this commitment
/// has passed". Scheduled whenever a due date is set or moved; a check for a date that is no longer the due date
/// finds nothing to do, so moving a date needs no cancellation.
/// </summary>
public sealed record DeadlineCheck(Guid CommitmentId, DateOnly DueOn);

public enum DeadlineOutcome { Missed, NotYet, Moot }

public static class DeadlineSchedule
{
    /// <summary>A due date has passed once its day is over (overdue: dueOn before today), at midnight UTC.</summary>
    public static DateTimeOffset PassesAt(DateOnly dueOn) => new(dueOn.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>
    /// How long until the due date passes by the ledger's clock. Wolverine schedules on the wall clock, so the
    /// delay (not the instant) is what carries over: with the system clock both are the same.
    /// </summary>
    public static TimeSpan Until(DateTimeOffset instant, TimeProvider clock)
    {
        var delay = instant - clock.GetUtcNow();
        return delay > TimeSpan.Zero ? delay : TimeSpan.Zero;
    }

    public static DeliveryMessage<DeadlineCheck> CheckWhenPassed(Guid commitmentId, DateOnly dueOn, TimeProvider clock) =>
        new DeadlineCheck(commitmentId, dueOn).DelayedFor(Until(PassesAt(dueOn), clock));

    public static Task Schedule(IMessageBus bus, Guid commitmentId, DateOnly dueOn, TimeProvider clock) =>
        bus.ScheduleAsync(new DeadlineCheck(commitmentId, dueOn), Until(PassesAt(dueOn), clock)).AsTask();

    /// <summary>
    /// Moot when the commitment is gone, terminal, its due date was moved since, or the miss is recorded already
    /// (a redelivery after a restart); not yet when the ledger's clock has not reached the end of the due day.
    /// </summary>
    public static DeadlineOutcome Decide(Commitment? state, DeadlineCheck check, DateTimeOffset now)
    {
        if (state is null || state.IsTerminal || state.DueOn != check.DueOn || state.DeadlineMissedFor == check.DueOn)
        {
            return DeadlineOutcome.Moot;
        }
        return now < PassesAt(check.DueOn) ? DeadlineOutcome.NotYet : DeadlineOutcome.Missed;
    }
}

public static class DeadlineCheckHandler
{
    /// <summary>
    /// Appends <see cref="DeadlineMissed"/> through the commitment's stream, fetched for writing: a concurrent write
    /// (or a second delivery racing this one) loses on the stream version instead of appending twice.
    /// </summary>
    public static async Task<OutgoingMessages> Handle(DeadlineCheck check, IDocumentSession session, TimeProvider clock,
        CancellationToken ct)
    {
        var outgoing = new OutgoingMessages();
        var stream = await session.Events.FetchForWriting<Commitment>(check.CommitmentId, ct);
        switch (DeadlineSchedule.Decide(stream.Aggregate, check, clock.GetUtcNow()))
        {
            case DeadlineOutcome.Missed:
                session.LastModifiedBy = "system:deadlines";
                stream.AppendOne(new DeadlineMissed(check.DueOn, check.DueOn.AddDays(1)));
                break;
            case DeadlineOutcome.NotYet:
                // Delivered before the ledger's clock got there (clocks apart): look again when it does.
                outgoing.Add(DeadlineSchedule.CheckWhenPassed(check.CommitmentId, check.DueOn, clock));
                break;
        }
        return outgoing;
    }
}

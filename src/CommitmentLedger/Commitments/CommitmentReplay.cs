using JasperFx.Events;

namespace CommitmentLedger.Commitments;

/// <summary>One entry of a stream with the commitment as the ledger showed it just before and just after it.</summary>
public sealed record ReplayStep(IEvent Entry, Commitment? Before, Commitment After);

/// <summary>
/// Folds a commitment's events in memory with the very Create/Apply methods of <see cref="CommitmentProjection"/>,
/// so history, time travel and the stored view can never disagree about what an event does.
/// </summary>
public static class CommitmentReplay
{
    private static readonly CommitmentProjection Projection = new();

    /// <summary>One event on top of the state before it (null before the recording).</summary>
    public static Commitment Apply(Commitment? state, IEvent e)
    {
        var next = e switch
        {
            IEvent<CommitmentRecorded> recorded => Projection.Create(recorded),
            _ when state is null => throw new InvalidOperationException(
                $"Event {e.EventTypeName} (version {e.Version}) of stream {e.StreamId} comes before the commitment was recorded"),
            IEvent<ProgressReported> progress => Projection.Apply(progress, state),
            IEvent<StatusChanged> status => Projection.Apply(status, state),
            IEvent<DueDateSet> dueDate => Projection.Apply(dueDate, state),
            IEvent<FollowUpLinked> followUp => Projection.Apply(followUp, state),
            _ => state,
        };
        return next with { Version = e.Version };
    }

    /// <summary>The commitment as recorded: every event in the order the ledger learned it.</summary>
    public static Commitment? AsRecorded(IEnumerable<IEvent> events)
    {
        Commitment? state = null;
        foreach (var e in events)
        {
            state = Apply(state, e);
        }
        return state;
    }

    /// <summary>Every entry with the view before and after it, in recorded order: what each entry changed.</summary>
    public static IEnumerable<ReplayStep> Steps(IReadOnlyList<IEvent> events)
    {
        Commitment? state = null;
        foreach (var e in events)
        {
            var before = state;
            state = Apply(state, e);
            yield return new ReplayStep(e, before, state);
        }
    }
}

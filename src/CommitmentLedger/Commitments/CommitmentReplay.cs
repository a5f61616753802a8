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
            IEvent<DeadlineMissed> missed => Projection.Apply(missed, state),
            IEvent<ReviewPeriodSet> period => Projection.Apply(period, state),
            IEvent<ReviewDue> review => Projection.Apply(review, state),
            IEvent<FollowUpLinked> followUp => Projection.Apply(followUp, state),
            IEvent<TranslationAdded> translation => Projection.Apply(translation, state),
            IEvent<AssessmentRecorded> assessment => Projection.Apply(assessment, state),
            _ => state,
        };
        return next with { Version = e.Version };
    }

    /// <summary>
    /// The commitment as recorded: every event in the order the ledger learned it, leaving out the entries retracted
    /// among them (a retracted entry and a retraction still move the version and updatedAt).
    /// </summary>
    public static Commitment? AsRecorded(IReadOnlyList<IEvent> events)
    {
        var retracted = RetractedVersions(events);
        Commitment? state = null;
        foreach (var e in events)
        {
            state = state is not null && (e.Data is EntryRetracted || retracted.ContainsKey(e.Version))
                ? state with { Version = e.Version, UpdatedAt = e.Timestamp }
                : Apply(state, e);
        }
        return state;
    }

    /// <summary>The retraction of each retracted version among the events.</summary>
    public static Dictionary<long, IEvent> RetractedVersions(IEnumerable<IEvent> events)
    {
        var retractions = new Dictionary<long, IEvent>();
        foreach (var e in events)
        {
            if (e.Data is EntryRetracted retraction)
            {
                retractions.TryAdd(retraction.RetractedVersion, e);
            }
        }
        return retractions;
    }

    /// <summary>
    /// The commitment in the world on <paramref name="validAt"/>: only the entries effective on or before that date,
    /// applied in effective order (ties in recorded order), so an entry recorded late still lands where it happened.
    /// Null when the commitment had not been made by then. Version and updatedAt are those of the latest entry
    /// given, i.e. of the ledger the answer was read from.
    /// </summary>
    public static Commitment? InTheWorld(IReadOnlyList<IEvent> events, DateOnly validAt)
    {
        if (events.Count == 0 || events[0].Data is not CommitmentRecorded recorded || recorded.MadeOn > validAt)
        {
            return null;
        }
        var retracted = RetractedVersions(events);
        var effective = events.Skip(1)
            .Where(e => e.Data is IHasEffectiveDate dated && dated.EffectiveOn <= validAt && !retracted.ContainsKey(e.Version))
            .OrderBy(e => ((IHasEffectiveDate)e.Data).EffectiveOn)
            .ThenBy(e => e.Version);
        // Entries without an effective date (translations) are about the record, not the world: they count at every date.
        var timeless = events.Skip(1)
            .Where(e => e.Data is not (IHasEffectiveDate or EntryRetracted) && !retracted.ContainsKey(e.Version));
        var state = AsRecorded([events[0], .. effective, .. timeless])!;
        return state with { Version = events[^1].Version, UpdatedAt = events.Max(e => e.Timestamp) };
    }

    /// <summary>
    /// Every entry with the view before and after it, in recorded order: what each entry changed when it was
    /// recorded (a retraction changes back what the retracted entry had changed, as far as later entries allow).
    /// </summary>
    public static IEnumerable<ReplayStep> Steps(IReadOnlyList<IEvent> events)
    {
        Commitment? state = null;
        for (var i = 0; i < events.Count; i++)
        {
            var before = state;
            // An entry is never retracted before it is recorded, so only a retraction needs the stream again.
            state = events[i].Data is EntryRetracted ? AsRecorded(events.Take(i + 1).ToList())! : Apply(state, events[i]);
            yield return new ReplayStep(events[i], before, state);
        }
    }
}

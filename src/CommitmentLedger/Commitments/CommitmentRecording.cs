using Marten;
using JasperFx.Events;

namespace CommitmentLedger.Commitments;

public enum RecordingOutcome { Created, Unchanged, ExternalRefTaken }

public sealed record Recording(RecordingOutcome Outcome, Guid Id);

/// <summary>
/// Starts a commitment stream, shared by create, follow-ups and imports. An externalRef is a natural key:
/// the same content under it again is a repeat (nothing written), different content is a conflict.
/// The parent, if any, gets a <see cref="FollowUpLinked"/> in the same transaction.
/// </summary>
public static class CommitmentRecording
{
    /// <summary>Decides without writing; a new commitment gets a time-ordered id (<see cref="CommitmentIds"/>).</summary>
    public static Recording Decide(CommitmentRecorded recorded, Commitment? existingWithSameRef, TimeProvider clock) =>
        existingWithSameRef is null
            ? new Recording(RecordingOutcome.Created, CommitmentIds.Next(clock))
            : existingWithSameRef.ContentHash == recorded.ContentHash
                ? new Recording(RecordingOutcome.Unchanged, existingWithSameRef.Id)
                : new Recording(RecordingOutcome.ExternalRefTaken, existingWithSameRef.Id);

    /// <summary>
    /// Appends the new stream and links it to its already stored parent, fetched for writing so the parent's
    /// version stays exact and a concurrent change to it is caught. Call only for <see cref="RecordingOutcome.Created"/>.
    /// </summary>
    public static void Start(IDocumentSession session, Guid id, CommitmentRecorded recorded, IEventStream<Commitment>? parent,
        ReviewPeriodSet? reviewPeriod = null)
    {
        session.Events.StartStream<Commitment>(id, reviewPeriod is null ? new object[] { recorded } : [recorded, reviewPeriod]);
        parent?.AppendOne(new FollowUpLinked(id, recorded.MadeOn));
    }

    public static Task<Commitment?> FindByExternalRef(IQuerySession session, string? externalRef, CancellationToken ct) =>
        externalRef is null
            ? Task.FromResult<Commitment?>(null)
            : session.Query<Commitment>().FirstOrDefaultAsync(x => x.ExternalRef == externalRef, ct);
}

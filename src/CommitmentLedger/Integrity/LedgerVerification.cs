using Marten;
using Npgsql;

namespace CommitmentLedger.Integrity;

/// <summary>A checkpoint or a receipt checked against the ledger as it is now.</summary>
public sealed record CheckpointCheck(long Sequence, bool Valid, string Digest, string RecomputedDigest,
    IReadOnlyList<Guid> ChangedStreams, string? Reason);

public sealed record LedgerVerificationResult(bool Valid, long Events, long Streams, IReadOnlyList<ChainProblem> Problems,
    IReadOnlyList<CheckpointCheck> Checkpoints);

/// <summary>
/// One pass over the ledger: every stream's chain re-hashed from content, and at the same time each
/// checkpoint's digest recomputed from those re-hashed heads, so a history rewritten together with its hashes
/// still fails against a digest sealed before the rewrite.
/// </summary>
public static class LedgerVerification
{
    private const int NamedStreamsLimit = 20;

    private sealed class Target(CheckpointReceipt expected, Dictionary<Guid, (long Version, byte[] Hash)>? storedHeads)
    {
        public CheckpointReceipt Expected { get; } = expected;
        public CheckpointDigest Digest { get; } = new(expected.PreviousDigest, expected.Sequence);
        public Dictionary<Guid, (long Version, byte[] Hash)>? StoredHeads { get; } = storedHeads;
        public HashSet<Guid> Seen { get; } = [];
        public List<Guid> Changed { get; } = [];
    }

    /// <param name="checkpoints">Stored checkpoints: each digest is recomputed and their links are checked.</param>
    /// <param name="receipts">Receipts a user kept: each digest is recomputed.</param>
    public static async Task<LedgerVerificationResult> VerifyAsync(IDocumentStore store, IReadOnlyList<CheckpointReceipt> checkpoints,
        IReadOnlyList<CheckpointReceipt> receipts, long? upToSequence = null, Action<long>? progress = null, CancellationToken ct = default)
    {
        var schema = store.Options.DatabaseSchemaName;
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        var targets = new List<Target>();
        foreach (var checkpoint in checkpoints.Concat(receipts))
        {
            var stored = await Checkpoints.LoadAsync(connection, schema, checkpoint.Sequence, ct) is not null
                ? await Checkpoints.HeadsAsync(connection, schema, checkpoint.Sequence, ct)
                : null;
            targets.Add(new Target(checkpoint, stored));
        }

        using var verifier = new ChainVerifier { StreamVerified = (stream, links) => AddHeads(targets, stream, links) };
        await verifier.VerifyAsync(ChainVerifier.ReadAsync(store, upToSequence: upToSequence, ct: ct), progress, ct);

        var checks = targets.Select(Check).ToList();
        var chainOfCheckpoints = CheckLinks(checkpoints);
        if (chainOfCheckpoints is not null) checks.Add(chainOfCheckpoints);
        foreach (var target in targets) target.Digest.Dispose();
        return new LedgerVerificationResult(verifier.Problems.Count == 0 && checks.All(c => c.Valid), verifier.Events, verifier.Streams,
            verifier.Problems, checks);
    }

    /// <summary>Loads every stored checkpoint, to verify them all in the same pass.</summary>
    public static async Task<List<CheckpointReceipt>> StoredCheckpointsAsync(IDocumentStore store, CancellationToken ct)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        return await Checkpoints.ListAsync(connection, store.Options.DatabaseSchemaName, ct);
    }

    private static void AddHeads(List<Target> targets, Guid stream, IReadOnlyList<RecomputedLink> links)
    {
        foreach (var target in targets)
        {
            RecomputedLink? head = null;
            foreach (var link in links)
            {
                if (link.Sequence <= target.Expected.Sequence) head = link;
            }
            if (head is null) continue;
            target.Digest.Head(stream, head.Version, head.Hash);
            if (target.StoredHeads is null) continue;
            target.Seen.Add(stream);
            if (!target.StoredHeads.TryGetValue(stream, out var stored) || stored.Version != head.Version ||
                !stored.Hash.AsSpan().SequenceEqual(head.Hash))
            {
                target.Changed.Add(stream);
            }
        }
    }

    private static CheckpointCheck Check(Target target)
    {
        var recomputed = target.Digest.Finish();
        var changed = target.Changed.ToList();
        if (target.StoredHeads is not null)
        {
            changed.AddRange(target.StoredHeads.Keys.Where(stream => !target.Seen.Contains(stream)));
        }
        var valid = recomputed == target.Expected.Digest;
        string? reason = null;
        if (!valid)
        {
            reason = changed.Count > 0
                ? $"the ledger up to sequence {target.Expected.Sequence} no longer gives the sealed digest; " +
                  $"{changed.Count} stream(s) differ from what was sealed: " +
                  string.Join(", ", changed.Take(NamedStreamsLimit)) + (changed.Count > NamedStreamsLimit ? ", …" : "")
                : $"the ledger up to sequence {target.Expected.Sequence} no longer gives the sealed digest " +
                  "(the stored checkpoint itself may have been rewritten)";
        }
        return new CheckpointCheck(target.Expected.Sequence, valid, target.Expected.Digest, recomputed,
            valid ? [] : changed.Take(NamedStreamsLimit).ToList(), reason);
    }

    /// <summary>Each stored checkpoint must name the digest of the one before it.</summary>
    private static CheckpointCheck? CheckLinks(IReadOnlyList<CheckpointReceipt> checkpoints)
    {
        var ordered = checkpoints.OrderBy(c => c.Sequence).ToList();
        for (var i = 1; i < ordered.Count; i++)
        {
            if (ordered[i].PreviousDigest != ordered[i - 1].Digest)
            {
                return new CheckpointCheck(ordered[i].Sequence, false, ordered[i].Digest, ordered[i].Digest, [],
                    $"checkpoint {ordered[i].Sequence} names previous digest {ordered[i].PreviousDigest ?? "(none)"}, " +
                    $"but checkpoint {ordered[i - 1].Sequence} has digest {ordered[i - 1].Digest}: the chain of checkpoints was altered");
            }
        }
        return null;
    }
}

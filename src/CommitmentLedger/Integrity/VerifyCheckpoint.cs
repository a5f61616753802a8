using CommitmentLedger.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CommitmentLedger.Integrity;

public sealed record CheckpointVerification(long Sequence, bool Valid, string Digest, string RecomputedDigest, long Events,
    long Streams, IReadOnlyList<Guid> ChangedStreams, IReadOnlyList<ChainProblem> Problems, string? Reason);

public static class VerifyCheckpointEndpoint
{
    [WolverineGet("/api/checkpoints/{sequence}/verify", OperationId = "verifyCheckpoint")]
    [Tags("Tamper evidence")]
    [EndpointSummary("Recompute a checkpoint's digest from the events up to its sequence, re-hashed from their content")]
    [ProducesResponseType<CheckpointVerification>(StatusCodes.Status200OK)]
    [ProblemResponses(404)]
    public static async Task<IResult> Get(string sequence, IDocumentStore store, CancellationToken ct)
    {
        if (await GetCheckpointEndpoints.FindAsync(store, sequence, ct) is not { } checkpoint)
        {
            return GetCheckpointEndpoints.NoSuchCheckpoint(sequence);
        }
        var result = await LedgerVerification.VerifyAsync(store, [checkpoint], [], upToSequence: checkpoint.Sequence, ct: ct);
        var check = result.Checkpoints[0];
        var reason = check.Reason ?? result.Problems.FirstOrDefault() switch
        {
            { } p => $"stream {p.StreamId} version {p.Version}: {p.Problem}",
            null => null,
        };
        return Results.Ok(new CheckpointVerification(checkpoint.Sequence, result.Valid, check.Digest, check.RecomputedDigest,
            result.Events, result.Streams, check.ChangedStreams, result.Problems.Take(100).ToList(), reason));
    }
}

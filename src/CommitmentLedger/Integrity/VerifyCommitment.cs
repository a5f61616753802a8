using CommitmentLedger.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CommitmentLedger.Integrity;

public sealed record StreamVerification(Guid StreamId, bool Valid, long Events, long? FirstInvalidVersion, string? Reason,
    string? HeadHash, IReadOnlyList<ChainProblem> Problems);

public static class VerifyCommitmentEndpoint
{
    [WolverineGet("/api/commitments/{id}/verify", OperationId = "verifyCommitment")]
    [Tags("Tamper evidence")]
    [EndpointSummary("Re-hash one commitment's events from their content and check its hash chain")]
    [ProducesResponseType<StreamVerification>(StatusCodes.Status200OK)]
    [ProblemResponses(404)]
    public static async Task<IResult> Get(string id, IDocumentStore store, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var streamId))
        {
            return Problems.NotFound($"No commitment has the id '{id}'.");
        }
        string? head = null;
        using var verifier = new ChainVerifier
        {
            StreamVerified = (_, links) => head = links.Count > 0 ? HashChain.Hex(links[^1].Hash) : null,
        };
        await verifier.VerifyAsync(ChainVerifier.ReadAsync(store, streamId, ct: ct), ct: ct);
        if (verifier.Streams == 0)
        {
            return Problems.NotFound($"No commitment has the id '{id}'.");
        }
        var first = verifier.Problems.OrderBy(p => p.Version).FirstOrDefault();
        return Results.Json(new StreamVerification(streamId, first is null, verifier.Events, first?.Version, first?.Problem,
            first is null ? head : null, verifier.Problems));
    }
}

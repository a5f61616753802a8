using CommitmentLedger.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CommitmentLedger.Integrity;

public static class SealCheckpointEndpoint
{
    [WolverinePost("/api/checkpoints", OperationId = "sealCheckpoint")]
    [Tags("Tamper evidence")]
    [EndpointSummary("Seal every event committed so far into a checkpoint; keep the receipt outside the system")]
    [ProducesResponseType<CheckpointReceipt>(StatusCodes.Status201Created)]
    [ProducesResponseType<CheckpointReceipt>(StatusCodes.Status200OK)]
    public static async Task<IResult> Post(IDocumentStore store, HttpContext http, TimeProvider clock, CancellationToken ct)
    {
        var (receipt, created) = await Checkpoints.SealAsync(store, RequestMetadata.UserOf(http), clock, ct);
        // Nothing new since the last seal: that checkpoint is the answer.
        return created
            ? Results.Created($"/api/checkpoints/{receipt.Sequence}", receipt)
            : Results.Ok(receipt);
    }
}

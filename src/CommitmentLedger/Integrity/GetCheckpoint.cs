using CommitmentLedger.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CommitmentLedger.Integrity;

public static class GetCheckpointEndpoints
{
    [WolverineGet("/api/checkpoints", OperationId = "listCheckpoints")]
    [Tags("Tamper evidence")]
    [EndpointSummary("Every checkpoint sealed so far, oldest first")]
    [ProducesResponseType<CheckpointReceipt[]>(StatusCodes.Status200OK)]
    public static async Task<IResult> List(IDocumentStore store, CancellationToken ct) =>
        Results.Ok(await LedgerVerification.StoredCheckpointsAsync(store, ct));

    [WolverineGet("/api/checkpoints/{sequence}", OperationId = "getCheckpoint")]
    [Tags("Tamper evidence")]
    [EndpointSummary("The receipt of one checkpoint")]
    [ProducesResponseType<CheckpointReceipt>(StatusCodes.Status200OK)]
    [ProblemResponses(404)]
    public static async Task<IResult> Get(string sequence, IDocumentStore store, CancellationToken ct)
    {
        var receipt = await FindAsync(store, sequence, ct);
        return receipt is null ? NoSuchCheckpoint(sequence) : Results.Ok(receipt);
    }

    public static async Task<CheckpointReceipt?> FindAsync(IDocumentStore store, string sequence, CancellationToken ct)
    {
        if (!long.TryParse(sequence, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            return null;
        }
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        return await Checkpoints.LoadAsync(connection, store.Options.DatabaseSchemaName, number, ct);
    }

    public static IResult NoSuchCheckpoint(string sequence) =>
        Problems.NotFound($"No checkpoint was sealed at sequence '{sequence}' (GET /api/checkpoints lists them).");
}

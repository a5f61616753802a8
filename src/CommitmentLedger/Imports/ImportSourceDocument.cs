using CommitmentLedger.Infrastructure;
using CommitmentLedger.Sources;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CommitmentLedger.Imports;

public static class ImportSourceDocumentEndpoint
{
    [WolverinePost("/api/imports", OperationId = "importSourceDocument")]
    [Tags("Imports")]
    [EndpointSummary("Import a source document and its commitments; importing the same file again creates nothing")]
    [ProducesResponseType<ImportResult>(StatusCodes.Status200OK)]
    [ProblemResponses(400, 409, 413)]
    public static async Task<IResult> Post(ImportFile? file, IDocumentSession session, TimeProvider clock,
        CancellationToken ct) => await SourceImporter.Import(session, file ?? new ImportFile(), clock, ct) switch
        {
            ImportOutcome.Imported imported => Results.Ok(imported.Result),
            ImportOutcome.Invalid invalid => Problems.Invalid(invalid.Errors),
            ImportOutcome.Conflicting conflicting => Conflict(conflicting.Refs),
            ImportOutcome.SourceConflict source => RegisterSourceEndpoint.Conflict(source.Conflict),
            var other => throw new InvalidOperationException($"Unknown import outcome {other}"),
        };

    public static IResult Conflict(IReadOnlyList<string> refs) => Problems.Conflict(
        $"These refs were imported before with different content: {string.Join(", ", refs)}. " +
        "Nothing was written; a recorded commitment is changed through its own endpoints, not by re-import.",
        new Dictionary<string, object?> { ["refs"] = refs });
}

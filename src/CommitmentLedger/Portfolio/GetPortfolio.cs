using CommitmentLedger.Commitments;
using CommitmentLedger.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CommitmentLedger.Portfolio;

public sealed record OverdueItem(Guid Id, IReadOnlyDictionary<string, string> Title, DateOnly DueOn, LifecycleStatus Status,
    string Area);

/// <summary>
/// The portfolio's counts. <c>Overdue</c> holds the first <c>overdueLimit</c> overdue entries only (most overdue first:
/// earliest due date, ties by id); <c>OverdueCount</c> is how many there are in all.
/// </summary>
public sealed record PortfolioView(
    int Total,
    IReadOnlyDictionary<string, int> ByStatus,
    IReadOnlyDictionary<string, int> ByArea,
    IReadOnlyDictionary<string, int> ByParty,
    IReadOnlyDictionary<string, int> ByKind,
    IReadOnlyDictionary<string, int> ByStrength,
    IReadOnlyList<OverdueItem> Overdue,
    int OverdueCount,
    DaemonLag Daemon);

public static class GetPortfolioEndpoint
{
    [WolverineGet("/api/portfolio", OperationId = "getPortfolio")]
    [Tags("Portfolio")]
    [EndpointSummary("Counts by status, area, party, kind and strength, from the async portfolio projection; " +
                     "overdueCount, how many are overdue, and overdue, the most overdue of them (earliest dueOn first, " +
                     "ties by id), at most overdueLimit (default 50, max 500): page through them all with " +
                     "GET /api/commitments?overdue=true; daemon says how many events the projection is behind")]
    [ProducesResponseType<PortfolioView>(StatusCodes.Status200OK)]
    [ProblemResponses(400)]
    public static async Task<IResult> Get(string? overdueLimit, IDocumentStore store, TimeProvider clock, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var limit = Input.PageSize(errors, overdueLimit, nameof(overdueLimit));
        if (errors.Any) return Problems.Invalid(errors);

        var lag = await DaemonLag.Of(store, ct);
        return Results.Ok(await PortfolioCounts.Read(store, clock.Today(), limit, lag, ct));
    }
}

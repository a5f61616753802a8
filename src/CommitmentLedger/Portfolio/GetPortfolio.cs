using CommitmentLedger.Commitments;
using CommitmentLedger.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CommitmentLedger.Portfolio;

public sealed record OverdueItem(Guid Id, IReadOnlyDictionary<string, string> Title, DateOnly DueOn, LifecycleStatus Status,
    string Area);

public sealed record PortfolioView(
    int Total,
    IReadOnlyDictionary<string, int> ByStatus,
    IReadOnlyDictionary<string, int> ByArea,
    IReadOnlyDictionary<string, int> ByParty,
    IReadOnlyDictionary<string, int> ByKind,
    IReadOnlyDictionary<string, int> ByStrength,
    IReadOnlyList<OverdueItem> Overdue,
    DaemonLag Daemon);

public static class GetPortfolioEndpoint
{
    [WolverineGet("/api/portfolio", OperationId = "getPortfolio")]
    [Tags("Portfolio")]
    [EndpointSummary("Counts by status, area, party, kind and strength and the overdue list, from the async portfolio " +
                     "projection; daemon says how many events it is behind")]
    [ProducesResponseType<PortfolioView>(StatusCodes.Status200OK)]
    public static async Task<PortfolioView> Get(IDocumentStore store, TimeProvider clock, CancellationToken ct)
    {
        var lag = await DaemonLag.Of(store, ct);
        return await PortfolioCounts.Read(store, clock.Today(), lag, ct);
    }
}

using CommitmentLedger.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CommitmentLedger.Subscriptions;

public static class ListDeliveriesEndpoint
{
    [WolverineGet("/api/subscriptions/{id}/deliveries", OperationId = "listDeliveries")]
    [Tags("Subscriptions")]
    [EndpointSummary("Every attempt to deliver a change to this subscription, oldest first: status code, error, success")]
    [ProducesResponseType<DeliveryAttempt[]>(StatusCodes.Status200OK)]
    [ProblemResponses(404)]
    public static async Task<IResult> Get(string id, IQuerySession session, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var subscriptionId) || await session.LoadAsync<WebhookSubscription>(subscriptionId, ct) is null)
        {
            return Problems.NotFound($"No subscription has the id '{id}'.");
        }
        var attempts = await session.Query<DeliveryAttempt>().Where(a => a.SubscriptionId == subscriptionId)
            .OrderBy(a => a.At).ThenBy(a => a.Id).ToListAsync(ct);
        return Results.Ok(attempts);
    }
}

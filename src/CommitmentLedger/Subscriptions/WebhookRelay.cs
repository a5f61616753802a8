using System.Text.Json;
using CommitmentLedger.Commitments;
using CommitmentLedger.Infrastructure;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Wolverine;
using Wolverine.Marten.Subscriptions;

namespace CommitmentLedger.Subscriptions;

/// <summary>One change for one subscription, waiting in Wolverine's durable inbox until delivered.</summary>
public sealed record WebhookDelivery(Guid DeliveryId, Guid SubscriptionId, long Sequence, string Type, string Body);

/// <summary>
/// Reads every event in order on Marten's daemon and publishes a <see cref="WebhookDelivery"/> per matching
/// subscription. The messages go through Wolverine's outbox in the transaction that moves this subscription's
/// progress: a change is handed over once, even across restarts.
/// </summary>
public sealed class WebhookRelay() : BatchSubscription("Webhooks")
{
    public override async Task ProcessEventsAsync(EventRange page, ISubscriptionController controller,
        IDocumentOperations operations, IMessageBus bus, CancellationToken ct)
    {
        var session = operations;
        var subscriptions = await session.Query<WebhookSubscription>().ToListAsync(ct);
        if (subscriptions.Count == 0)
        {
            return;
        }
        var ids = page.Events.Select(e => e.StreamId).Distinct().ToArray();
        var commitments = (await session.LoadManyAsync<Commitment>(ct, ids)).ToDictionary(c => c.Id);
        foreach (var e in page.Events)
        {
            var commitment = commitments.GetValueOrDefault(e.StreamId);
            foreach (var subscription in subscriptions.Where(s => s.Filter.Matches(e.StreamId, commitment)))
            {
                var body = JsonSerializer.Serialize(new
                {
                    subscriptionId = subscription.Id,
                    commitmentId = e.StreamId,
                    sequence = e.Sequence,
                    version = e.Version,
                    type = e.EventTypeName,
                    recordedAt = e.Timestamp,
                    data = e.Data,
                }, JsonSetup.Api);
                await bus.PublishAsync(new WebhookDelivery(Guid.CreateVersion7(), subscription.Id, e.Sequence, e.EventTypeName, body));
            }
        }
    }
}

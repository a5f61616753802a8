using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Marten;
using Wolverine;

namespace CommitmentLedger.Subscriptions;

/// <summary>The receiver did not answer 2xx: Wolverine retries with the configured back-off (Program.cs).</summary>
public sealed class WebhookDeliveryFailed(string message) : Exception(message);

public static class DeliverWebhookHandler
{
    public const string SignatureHeader = "X-Ledger-Signature";

    public static string Sign(string secret, string body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));

    /// <summary>
    /// Each attempt is recorded in its own session, committed whatever the outcome: a failed attempt throws (so
    /// Wolverine retries) and must still show in GET …/deliveries.
    /// </summary>
    public static async Task Handle(WebhookDelivery delivery, Envelope envelope, IDocumentStore store,
        IHttpClientFactory clients, TimeProvider clock, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        if (await session.LoadAsync<WebhookSubscription>(delivery.SubscriptionId, ct) is not { } subscription)
        {
            return;
        }
        int? status = null;
        string? error = null;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, subscription.Url)
            {
                Content = new StringContent(delivery.Body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
            };
            request.Headers.Add(SignatureHeader, Sign(subscription.Secret, delivery.Body));
            request.Headers.Add("X-Ledger-Delivery", delivery.DeliveryId.ToString());
            request.Headers.Add("X-Ledger-Attempt", envelope.Attempts.ToString());
            using var response = await clients.CreateClient("webhooks").SendAsync(request, ct);
            status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode) error = $"the receiver answered {status}";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            error = e.Message;
        }
        session.Store(new DeliveryAttempt(Guid.CreateVersion7(), subscription.Id, delivery.DeliveryId, delivery.Sequence,
            delivery.Type, Math.Max(1, envelope.Attempts), clock.GetUtcNow(), status, error, error is null));
        await session.SaveChangesAsync(ct);
        if (error is not null)
        {
            throw new WebhookDeliveryFailed($"Delivery {delivery.DeliveryId} to {subscription.Url}: {error}");
        }
    }
}

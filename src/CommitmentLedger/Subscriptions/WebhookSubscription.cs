using System.Globalization;

namespace CommitmentLedger.Subscriptions;

public sealed record SubscriptionFilter(string? Party, string? Area, Guid? CommitmentId)
{
    /// <summary>Every given criterion must hold; an empty filter matches every change.</summary>
    public bool Matches(Guid commitmentId, Commitments.Commitment? commitment) =>
        (CommitmentId is null || CommitmentId == commitmentId) &&
        (Party is null || (commitment?.Parties.Contains(Party) ?? false)) &&
        (Area is null || commitment?.Area == Area);
}

/// <summary>A registered webhook. The secret signs each delivery and is never shown again.</summary>
public sealed record WebhookSubscription(Guid Id, string Url, SubscriptionFilter Filter, string Secret, DateTimeOffset CreatedAt);

/// <summary>One attempt to deliver one change to one subscription, as GET …/deliveries shows it.</summary>
public sealed record DeliveryAttempt(Guid Id, Guid SubscriptionId, Guid DeliveryId, long Sequence, string Type, int Attempt,
    DateTimeOffset At, int? StatusCode, string? Error, bool Succeeded);

/// <summary>
/// <c>Ledger:Subscriptions:AllowedHosts</c> (comma-separated host names a webhook may point at; none by default) and
/// <c>Ledger:Subscriptions:RetryDelays</c> (the back-off between attempts, comma-separated TimeSpans).
/// </summary>
public sealed record WebhookSettings(IReadOnlySet<string> AllowedHosts, TimeSpan[] RetryDelays)
{
    public static WebhookSettings From(IConfiguration configuration)
    {
        static string[] List(string? text) =>
            (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var hosts = List(configuration["Ledger:Subscriptions:AllowedHosts"]).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var delays = List(configuration["Ledger:Subscriptions:RetryDelays"] ?? "00:00:01,00:00:05,00:00:30,00:02:00,00:10:00")
            .Select(d => TimeSpan.Parse(d, CultureInfo.InvariantCulture)).ToArray();
        return new WebhookSettings(hosts, delays);
    }
}

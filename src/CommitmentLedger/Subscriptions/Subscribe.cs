using CommitmentLedger.Commitments;
using CommitmentLedger.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CommitmentLedger.Subscriptions;

public sealed record SubscriptionFilterInput(string? Party, string? Area, string? CommitmentId);

public sealed record SubscribeRequest(string? Url, SubscriptionFilterInput? Filter, string? Secret);

public sealed record SubscriptionView(Guid Id, string Url, SubscriptionFilter Filter, DateTimeOffset CreatedAt);

public static class SubscribeEndpoint
{
    public static (string Url, SubscriptionFilter Filter, string Secret)? Parse(SubscribeRequest? body, WebhookSettings settings,
        FieldErrors errors)
    {
        if (!Input.RequireBody(errors, body)) return null;
        Input.CheckUrl(errors, "url", body.Url, required: true);
        if (!errors.Fields.Contains("url") && !settings.AllowedHosts.Contains(new Uri(body.Url!).Host))
        {
            errors.Add("url", settings.AllowedHosts.Count == 0
                ? "points at a host that is not allowed: no webhook hosts are configured (Ledger:Subscriptions:AllowedHosts)"
                : $"points at a host that is not allowed; allowed: {string.Join(", ", settings.AllowedHosts.Order())}");
        }
        if (string.IsNullOrEmpty(body.Secret) || body.Secret.Length is < 16 or > 200 || Input.HasControlCharacters(body.Secret))
        {
            errors.Add("secret", "is required: 16 to 200 characters, used to sign each delivery (HMAC-SHA256)");
        }
        var filter = body.Filter ?? new SubscriptionFilterInput(null, null, null);
        if (filter.Party is not null && !NewCommitmentRules.IsPartyCode(filter.Party))
        {
            errors.Add("filter.party", "must be a party code such as 'VN-MND'");
        }
        if (filter.Area is not null && !NewCommitmentRules.IsAreaCode(filter.Area))
        {
            errors.Add("filter.area", "must be an area such as 'maritime-security'");
        }
        Guid? commitmentId = null;
        if (filter.CommitmentId is not null)
        {
            if (Guid.TryParse(filter.CommitmentId, out var id)) commitmentId = id;
            else errors.Add("filter.commitmentId", "must be a commitment id (a GUID)");
        }
        return errors.Any ? null : (body.Url!, new SubscriptionFilter(filter.Party, filter.Area, commitmentId), body.Secret!);
    }

    [WolverinePost("/api/subscriptions", OperationId = "subscribe")]
    [Tags("Subscriptions")]
    [EndpointSummary("Register a webhook: each matching change is POSTed to url, signed with HMAC-SHA256 of the body " +
                     "(header X-Ledger-Signature: sha256=HEX), with retries and back-off")]
    [ProducesResponseType<SubscriptionView>(StatusCodes.Status201Created)]
    [ProblemResponses(400, 413)]
    public static IResult Post(SubscribeRequest? body, WebhookSettings settings, IDocumentSession session, TimeProvider clock)
    {
        var errors = new FieldErrors();
        if (Parse(body, settings, errors) is not { } valid)
        {
            return Problems.Invalid(errors);
        }
        var subscription = new WebhookSubscription(Guid.CreateVersion7(), valid.Url, valid.Filter, valid.Secret, clock.GetUtcNow());
        session.Store(subscription);
        return Results.Created($"/api/subscriptions/{subscription.Id}",
            new SubscriptionView(subscription.Id, subscription.Url, subscription.Filter, subscription.CreatedAt));
    }
}

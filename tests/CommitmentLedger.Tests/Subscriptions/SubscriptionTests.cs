using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using CommitmentLedger.Subscriptions;
using CommitmentLedger.Tests.Http;
using JasperFx.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Wolverine;
using Wolverine.Tracking;

namespace CommitmentLedger.Tests.Subscriptions;

/// <summary>Webhooks delivered to a real HTTP receiver on loopback.</summary>
public class SubscriptionTests(AppFixture fixture) : LedgerContext(fixture)
{
    private const string Secret = "a-secret-of-the-receiver";

    [Fact]
    public async Task A_matching_change_is_delivered_signed_and_retried_until_the_receiver_accepts_it()
    {
        await using var receiver = await Receiver.Start(failFirst: 2);
        var subscription = await Host.Write("POST", "/api/subscriptions",
            new { url = receiver.Url, filter = new { party = "VN-MND" }, secret = Secret }, expectedStatus: 201);
        subscription.ContainsKey("secret").ShouldBeFalse();

        string id = null!;
        await Host.TrackActivity().Timeout(60.Seconds())
            .WaitForMessageToBeReceivedAt<WebhookDelivery>(Host)
            .ExecuteAndWaitAsync((Func<IMessageContext, Task>)(async _ =>
            {
                await Host.Create(Samples.Commitment(parties: ["JP-MOD"]));
                id = (await Host.Create(Samples.Commitment(parties: ["JP-MOD", "VN-MND"]))).Id();
            }));

        receiver.Requests.Count.ShouldBe(3);
        var delivered = receiver.Requests.Last();
        delivered.Signature.ShouldBe(DeliverWebhookHandler.Sign(Secret, delivered.Body));
        var change = JsonNode.Parse(delivered.Body)!;
        change["commitmentId"].Text().ShouldBe(id);
        change["type"].Text().ShouldBe("commitment_recorded");

        var attempts = (await Host.Get($"/api/subscriptions/{subscription.Id()}/deliveries")).AsArray();
        attempts.Select(a => $"{a!["attempt"]}:{a["statusCode"]}:{a["succeeded"]}")
            .ShouldBe(["1:500:false", "2:500:false", "3:200:true"]);
    }

    [Fact]
    public async Task Deliveries_of_an_unknown_subscription_are_not_found()
    {
        await Host.Get("/api/subscriptions/0197a3c4-0000-7000-8000-000000000001/deliveries", 404);
    }

    private sealed record Received(string Body, string? Signature);

    private sealed class Receiver : IAsyncDisposable
    {
        private WebApplication _app = null!;
        public ConcurrentQueue<Received> Requests { get; } = new();
        public string Url { get; private set; } = "";

        public static async Task<Receiver> Start(int failFirst)
        {
            var receiver = new Receiver();
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseSetting("urls", "http://127.0.0.1:0");
            var app = builder.Build();
            app.MapPost("/hook", async (HttpRequest request) =>
            {
                var body = await new StreamReader(request.Body).ReadToEndAsync();
                receiver.Requests.Enqueue(new Received(body, request.Headers[DeliverWebhookHandler.SignatureHeader]));
                return receiver.Requests.Count <= failFirst ? Results.StatusCode(500) : Results.Ok();
            });
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            receiver._app = app;
            receiver.Url = address + "/hook";
            return receiver;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}

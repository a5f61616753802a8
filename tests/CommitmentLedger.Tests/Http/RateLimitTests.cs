using System.Text.Json.Nodes;
using Alba;

namespace CommitmentLedger.Tests.Http;

/// <summary>A host with a small per-client limit (the shared one has none, see AppFixture).</summary>
[Collection(LedgerCollection.Name)]
public sealed class RateLimitTests : IAsyncLifetime
{
    private IAlbaHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await AppFixture.StartHostWith(("RateLimit:PermitsPerWindow", "3"), ("RateLimit:WindowSeconds", "3600"));

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private Task<IScenarioResult> Get(string url, string token, int status) => _host.Scenario(s =>
    {
        s.Get.Url(url);
        s.WithRequestHeader("Authorization", "Bearer " + token);
        s.StatusCodeShouldBe(status);
    });

    [Fact]
    public async Task a_client_over_its_limit_gets_429_problems_with_retry_after_and_other_clients_do_not()
    {
        var busy = AppFixture.Token("busy-client", "reader");
        for (var i = 0; i < 3; i++) await Get("/api/commitments?limit=1", busy, 200);

        var refused = await Get("/api/commitments?limit=1", busy, 429);
        refused.Context.Response.ContentType.ShouldBe("application/problem+json");
        JsonNode.Parse(refused.ReadAsText())!["status"]!.GetValue<int>().ShouldBe(429);
        int.Parse(refused.Context.Response.Headers.RetryAfter.ToString()).ShouldBeInRange(1, 3600);

        await Get("/api/commitments?limit=1", AppFixture.Token("quiet-client", "reader"), 200);
        await _host.Scenario(s =>
        {
            s.Get.Url("/health");
            s.StatusCodeShouldBe(200);
        });
    }
}

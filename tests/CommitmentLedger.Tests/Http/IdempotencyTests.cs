using System.Text.Json.Nodes;
using Alba;
using CommitmentLedger.Infrastructure;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CommitmentLedger.Tests.Http;

public class IdempotencyTests(AppFixture fixture) : LedgerContext(fixture)
{
    private Task<IScenarioResult> Post(string url, object body, string key, int status, string? token = null) =>
        Host.Scenario(s =>
        {
            s.Post.Json(body).ToUrl(url);
            s.WithRequestHeader(Idempotency.Header, key);
            if (token is not null) s.WithRequestHeader("Authorization", "Bearer " + token);
            s.StatusCodeShouldBe(status);
        });

    private async Task<int> CommitmentCount() => (await Host.Get("/api/commitments"))["items"]!.AsArray().Count;

    [Fact]
    public async Task a_retry_with_the_same_key_and_body_gets_the_first_response_and_writes_nothing()
    {
        var first = await Post("/api/commitments", Samples.Commitment(), "create-1", 201);
        var retry = await Post("/api/commitments", Samples.Commitment(), "create-1", 201);

        retry.ReadAsText().ShouldBe(first.ReadAsText());
        retry.Context.Response.Headers.Location.ToString().ShouldBe(first.Context.Response.Headers.Location.ToString());
        retry.Context.Response.Headers.ETag.ToString().ShouldBe("\"1\"");
        retry.Context.Response.Headers[Idempotency.ReplayedHeader].ToString().ShouldBe("true");
        first.Context.Response.Headers.ContainsKey(Idempotency.ReplayedHeader).ShouldBeFalse();
        (await CommitmentCount()).ShouldBe(1);

        var id = first.Json().Id();
        var progress = await Post($"/api/commitments/{id}/progress", new { note = "team arrived" }, "progress-1", 200);
        var again = await Post($"/api/commitments/{id}/progress", new { note = "team arrived" }, "progress-1", 200);
        again.ReadAsText().ShouldBe(progress.ReadAsText());
        (await Host.Get($"/api/commitments/{id}/history")).AsArray().Count.ShouldBe(2, "one creation, one progress report");
    }

    [Fact]
    public async Task the_same_key_with_a_different_body_or_path_is_a_422_problem_and_writes_nothing()
    {
        var id = (await Post("/api/commitments", Samples.Commitment(), "k-1", 201)).Json().Id();

        var otherBody = await Post("/api/commitments", Samples.Commitment(externalRef: "other"), "k-1", 422);
        otherBody.Context.Response.ContentType.ShouldBe("application/problem+json");
        JsonNode.Parse(otherBody.ReadAsText())!["detail"].Text().ShouldContain("k-1");
        await Post($"/api/commitments/{id}/progress", new { note = "n" }, "k-1", 422);

        (await CommitmentCount()).ShouldBe(1);
        (await Host.Get($"/api/commitments/{id}"))["version"]!.GetValue<long>().ShouldBe(1);
    }

    [Fact]
    public async Task a_request_that_failed_keeps_no_key_so_the_corrected_request_may_use_it()
    {
        var invalid = Samples.Commitment();
        invalid["parties"] = new JsonArray();
        await Post("/api/commitments", invalid, "try-1", 400);
        await using (var session = Store.QuerySession())
        {
            (await session.Query<IdempotentRequest>().CountAsync()).ShouldBe(0);
        }

        await Post("/api/commitments", Samples.Commitment(), "try-1", 201);
        (await CommitmentCount()).ShouldBe(1);
    }

    [Fact]
    public async Task a_key_older_than_the_retention_is_forgotten_so_a_new_request_may_use_it()
    {
        Clock.MoveTo("2022-01-01");
        var id = (await Post("/api/commitments", Samples.Commitment(), "reused-next-week", 201)).Json().Id();

        // Within the retention (a day) this would be a 422: the same key with another path and body.
        Clock.MoveTo("2022-01-08");
        var fresh = await Post($"/api/commitments/{id}/progress", new { note = "team arrived" }, "reused-next-week", 200);
        fresh.Context.Response.Headers.ContainsKey(Idempotency.ReplayedHeader).ShouldBeFalse();
        var retry = await Post($"/api/commitments/{id}/progress", new { note = "team arrived" }, "reused-next-week", 200);
        retry.Context.Response.Headers[Idempotency.ReplayedHeader].ToString().ShouldBe("true");
        (await Host.Get($"/api/commitments/{id}"))["version"]!.GetValue<long>().ShouldBe(2);
    }

    [Fact]
    public async Task the_purge_deletes_the_keys_older_than_the_retention_and_keeps_the_others()
    {
        Clock.MoveTo("2022-01-01");
        await Post("/api/commitments", Samples.Commitment(externalRef: "a"), "old", 201);
        Clock.MoveTo(DateTimeOffset.Parse("2022-01-02T18:00:00Z")); // the first key is 30 hours old
        await Post("/api/commitments", Samples.Commitment(externalRef: "b"), "recent", 201);

        var retention = Host.Services.GetRequiredService<IdempotencyRetention>();
        (await retention.PurgeAsync(Store, Clock.GetUtcNow(), CancellationToken.None)).ShouldBe(1);

        await using var session = Store.QuerySession();
        (await session.Query<IdempotentRequest>().Select(r => r.Key).ToListAsync()).ShouldBe(["recent"]);
        (await CommitmentCount()).ShouldBe(2, "forgetting a key never touches what its request wrote");
    }

    [Theory]
    [InlineData(null, "1.00:00:00")]
    [InlineData("00:30:00", "00:30:00")]
    [InlineData("7.00:00:00", "7.00:00:00")]
    public void the_retention_is_a_day_unless_configured(string? setting, string expected)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [IdempotencyRetention.RetainForKey] = setting }).Build();
        IdempotencyRetention.From(configuration).RetainFor.ShouldBe(TimeSpan.Parse(expected));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-01:00:00")]
    [InlineData("a day")]
    public void a_retention_that_is_not_a_positive_duration_stops_the_start(string setting)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [IdempotencyRetention.RetainForKey] = setting }).Build();
        Should.Throw<InvalidOperationException>(() => IdempotencyRetention.From(configuration))
            .Message.ShouldContain(IdempotencyRetention.RetainForKey);
    }

    [Fact]
    public async Task keys_belong_to_their_user()
    {
        await Post("/api/commitments", Samples.Commitment(externalRef: "a"), "shared", 201, AppFixture.Token("alice", "recorder"));
        await Post("/api/commitments", Samples.Commitment(externalRef: "b"), "shared", 201, AppFixture.Token("bob", "recorder"));
        (await CommitmentCount()).ShouldBe(2);
    }

    [Fact]
    public async Task an_oversized_key_is_a_400_problem()
    {
        var result = await Post("/api/commitments", Samples.Commitment(), new string('k', Idempotency.MaxKeyLength + 1), 400);
        result.Context.Response.ContentType.ShouldBe("application/problem+json");
        (await CommitmentCount()).ShouldBe(0);
    }

    [Fact]
    public async Task without_a_key_a_post_is_applied_each_time()
    {
        var id = (await Host.Create(Samples.Commitment())).Id();
        await Host.Write("POST", $"/api/commitments/{id}/progress", new { note = "n" });
        await Host.Write("POST", $"/api/commitments/{id}/progress", new { note = "n" });
        (await Host.Get($"/api/commitments/{id}"))["version"]!.GetValue<long>().ShouldBe(3);
    }
}

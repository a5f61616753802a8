using System.Text.Json.Nodes;
using Alba;
using CommitmentLedger.Security;
using CommitmentLedger.Tests.Http;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Wolverine;
using Wolverine.Http;

namespace CommitmentLedger.Tests.Security;

/// <summary>Real tokens signed with the development key, as <c>dev-token</c> mints them; no authentication stub.</summary>
public class AuthTests(AppFixture fixture) : LedgerContext(fixture)
{
    private static string Bearer(string name, string role) => "Bearer " + AppFixture.Token(name, role);

    private async Task<IScenarioResult> Send(string method, string url, string authorization, object? body, int status)
    {
        return await Host.Scenario(s =>
        {
            _ = method switch
            {
                "GET" => s.Get.Url(url),
                "PUT" => s.Put.Json(body!).ToUrl(url),
                _ => s.Post.Json(body ?? new { }).ToUrl(url),
            };
            s.WithRequestHeader("Authorization", authorization);
            s.StatusCodeShouldBe(status);
        });
    }

    private static void ShouldBeProblem(IScenarioResult result, int status)
    {
        result.Context.Response.ContentType.ShouldBe("application/problem+json");
        var problem = JsonNode.Parse(result.ReadAsText())!;
        problem["status"]!.GetValue<int>().ShouldBe(status);
        problem["detail"].Text().ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task without_a_token_reads_and_writes_are_401_problems_and_nothing_is_written()
    {
        var read = await Send("GET", "/api/commitments", AppFixture.NoToken, null, 401);
        ShouldBeProblem(read, 401);
        read.Context.Response.Headers.WWWAuthenticate.ToString().ShouldStartWith("Bearer");

        ShouldBeProblem(await Send("POST", "/api/commitments", AppFixture.NoToken, Samples.Commitment(), 401), 401);

        (await Host.Get("/api/commitments"))["items"]!.AsArray().ShouldBeEmpty();
    }

    [Fact]
    public async Task health_and_the_openapi_document_need_no_token()
    {
        await Send("GET", "/health", AppFixture.NoToken, null, 200);
        await Send("GET", "/openapi/v1.json", AppFixture.NoToken, null, 200);
    }

    [Theory]
    [InlineData("expired")]
    [InlineData("other key")]
    [InlineData("other audience")]
    [InlineData("garbage")]
    public async Task a_token_that_does_not_validate_is_401(string flaw)
    {
        var settings = new AuthSettings { SigningKey = LedgerAuth.DevelopmentSigningKey };
        var token = flaw switch
        {
            "expired" => DevTokens.Mint(settings, "eve", LedgerAuth.Admin, TimeSpan.FromMinutes(5), DateTime.UtcNow.AddHours(-2)),
            "other key" => DevTokens.Mint(new AuthSettings { SigningKey = new string('k', 40) }, "eve", LedgerAuth.Admin, TimeSpan.FromHours(1)),
            "other audience" => DevTokens.Mint(new AuthSettings { SigningKey = LedgerAuth.DevelopmentSigningKey, Audience = "elsewhere" },
                "eve", LedgerAuth.Admin, TimeSpan.FromHours(1)),
            _ => "not.a.jwt",
        };
        ShouldBeProblem(await Send("POST", "/api/commitments", "Bearer " + token, Samples.Commitment(), 401), 401);
        (await Host.Get("/api/commitments"))["items"]!.AsArray().ShouldBeEmpty();
    }

    [Fact]
    public async Task a_reader_may_read_but_a_write_is_a_403_problem()
    {
        var id = (await Host.Create(Samples.Commitment())).Id();
        var reader = Bearer("rita", LedgerAuth.Reader);

        await Send("GET", $"/api/commitments/{id}", reader, null, 200);
        await Send("GET", $"/api/commitments/{id}/history", reader, null, 200);
        await Send("GET", "/api/checkpoints", reader, null, 200);
        var refused = await Send("POST", $"/api/commitments/{id}/progress", reader, new { note = "done" }, 403);
        ShouldBeProblem(refused, 403);

        (await Host.Get($"/api/commitments/{id}"))["version"]!.GetValue<long>().ShouldBe(1);
    }

    [Fact]
    public async Task roles_are_cumulative_each_may_do_what_the_ones_below_may()
    {
        var recorder = Bearer("rob", LedgerAuth.Recorder);
        var assessor = Bearer("ann", LedgerAuth.Assessor);
        var admin = Bearer("ada", LedgerAuth.Admin);
        var assessment = new { completion = "limited", assessor = "IRM", method = "desk review", period = "2022-01-01/2022-06-30", note = "n" };

        // recorder: reads and writes, no assessments, no checkpoints
        var id = JsonNode.Parse((await Send("POST", "/api/commitments", recorder, Samples.Commitment(), 201)).ReadAsText())!["id"].Text();
        await Send("GET", $"/api/commitments/{id}", recorder, null, 200);
        ShouldBeProblem(await Send("POST", $"/api/commitments/{id}/assessments", recorder, assessment, 403), 403);
        ShouldBeProblem(await Send("POST", "/api/checkpoints", recorder, null, 403), 403);

        // assessor: all of that and assessments, still no checkpoints
        await Send("POST", $"/api/commitments/{id}/progress", assessor, new { note = "first team arrived" }, 200);
        await Send("POST", $"/api/commitments/{id}/assessments", assessor, assessment, 200);
        ShouldBeProblem(await Send("POST", "/api/checkpoints", assessor, null, 403), 403);

        // admin: everything
        await Send("POST", $"/api/commitments/{id}/assessments", admin, assessment with { completion = "substantial" }, 200);
        var receipt = JsonNode.Parse((await Send("POST", "/api/checkpoints", admin, null, 201)).ReadAsText())!;
        var sequence = receipt["sequence"]!.GetValue<long>();
        ShouldBeProblem(await Send("GET", $"/api/checkpoints/{sequence}/verify", assessor, null, 403), 403);
        await Send("GET", $"/api/checkpoints/{sequence}/verify", admin, null, 200);
    }

    [Fact]
    public async Task the_name_claim_is_recorded_as_the_user_on_every_event()
    {
        var id = JsonNode.Parse((await Send("POST", "/api/commitments", Bearer("Alice Tanaka", LedgerAuth.Recorder),
            Samples.Commitment(), 201)).ReadAsText())!["id"].Text();
        await Send("POST", $"/api/commitments/{id}/progress", Bearer("Bao Nguyen", LedgerAuth.Recorder), new { note = "team arrived" }, 200);

        var history = (await Host.Get($"/api/commitments/{id}/history")).AsArray();
        history.Select(e => e!["recordedBy"].Text()).ShouldBe(["Alice Tanaka", "Bao Nguyen"]);
        (await Host.Get($"/api/commitments/{id}"))["lastProgress"]!["recordedBy"].Text().ShouldBe("Bao Nguyen");
    }

    [Fact]
    public void every_endpoint_requires_the_policy_of_its_role()
    {
        var endpoints = Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RequestDelegate?.Target is HttpHandler).ToList();
        endpoints.Count.ShouldBeGreaterThan(15);
        foreach (var endpoint in endpoints)
        {
            var route = endpoint.RoutePattern.RawText!;
            var method = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Single();
            endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy)
                .ShouldBe([LedgerAuth.RequiredRole(method, route)], $"{method} {route}");
        }
    }

    [Theory]
    [InlineData("GET", "/api/commitments/{id}", "reader")]
    [InlineData("GET", "/api/audit", "reader")]
    [InlineData("POST", "/api/commitments", "recorder")]
    [InlineData("PUT", "/api/commitments/{id}/due-date", "recorder")]
    [InlineData("POST", "/api/imports", "recorder")]
    [InlineData("POST", "/api/commitments/{id}/assessments", "assessor")]
    [InlineData("POST", "/api/checkpoints", "admin")]
    [InlineData("GET", "/api/checkpoints", "reader")]
    [InlineData("GET", "/api/checkpoints/{sequence}/verify", "admin")]
    // endpoints of other branches are decided by the same rule
    [InlineData("GET", "/api/subscriptions", "admin")]
    [InlineData("POST", "/api/subscriptions", "admin")]
    [InlineData("DELETE", "/api/subscriptions/{id}", "admin")]
    [InlineData("GET", "/api/reviews/due", "reader")]
    [InlineData("GET", "/api/portfolio", "reader")]
    [InlineData("GET", "/api/sources/{key}/rollup", "reader")]
    public void the_role_an_endpoint_needs_follows_from_its_method_and_route(string method, string route, string role) =>
        LedgerAuth.RequiredRole(method, route).ShouldBe(role);

    [Fact]
    public void outside_development_the_configuration_must_name_a_key_that_is_not_the_development_key()
    {
        var production = new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { EnvironmentName = "Production" };
        LedgerAuth.Problems(new AuthSettings(), production).ShouldHaveSingleItem().ShouldContain("Auth:SigningKey or Auth:Authority");
        LedgerAuth.Problems(new AuthSettings { SigningKey = LedgerAuth.DevelopmentSigningKey }, production)
            .ShouldHaveSingleItem().ShouldContain("development key");
        LedgerAuth.Problems(new AuthSettings { SigningKey = "short" }, production).ShouldHaveSingleItem().ShouldContain("32 bytes");
        LedgerAuth.Problems(new AuthSettings { SigningKey = new string('x', 32) }, production).ShouldBeEmpty();
    }
}

/// <summary>A public deployment: <c>Auth:AnonymousRead=true</c> opens the reads, not the writes.</summary>
[Collection(LedgerCollection.Name)]
public sealed class AnonymousReadTests : IAsyncLifetime
{
    private IAlbaHost _host = null!;

    public async Task InitializeAsync() => _host = await AppFixture.StartHostWith(("Auth:AnonymousRead", "true"));

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task reads_need_no_token_and_writes_still_do()
    {
        await _host.Scenario(s =>
        {
            s.Get.Url("/api/commitments?limit=1");
            s.WithRequestHeader("Authorization", AppFixture.NoToken);
            s.StatusCodeShouldBe(200);
        });
        await _host.Scenario(s =>
        {
            s.Post.Json(Samples.Commitment()).ToUrl("/api/commitments");
            s.WithRequestHeader("Authorization", AppFixture.NoToken);
            s.StatusCodeShouldBe(401);
            s.ContentTypeShouldBe("application/problem+json");
        });
        await _host.Scenario(s =>
        {
            s.Post.Json(Samples.Commitment()).ToUrl("/api/commitments");
            s.WithRequestHeader("Authorization", "Bearer " + AppFixture.Token("reader", LedgerAuth.Reader));
            s.StatusCodeShouldBe(403);
        });
    }
}

using System.Text.Json.Nodes;

namespace CommitmentLedger.Tests.Http;

public class ServiceTests(AppFixture fixture) : LedgerContext(fixture)
{
    [Fact]
    public async Task health_answers_healthy_when_the_database_answers()
    {
        var health = await Host.Get("/health");
        health["status"].Text().ShouldBe("healthy");
        health["checks"]!["database"]!["status"].Text().ShouldBe("healthy");
    }

    [Theory]
    [InlineData("/api/commitments", "get,post")]
    [InlineData("/api/commitments/{id}", "get")]
    [InlineData("/api/commitments/{id}/progress", "post")]
    [InlineData("/api/commitments/{id}/status", "post")]
    [InlineData("/api/commitments/{id}/due-date", "put")]
    [InlineData("/api/commitments/{id}/follow-ups", "post")]
    [InlineData("/api/commitments/{id}/history", "get")]
    [InlineData("/api/commitments/{id}/retractions", "post")]
    [InlineData("/api/imports", "post")]
    [InlineData("/api/audit", "get")]
    [InlineData("/api/sources", "get,post")]
    [InlineData("/api/sources/{key}", "get")]
    [InlineData("/api/commitments/{id}/translations", "post")]
    [InlineData("/api/commitments/{id}/assessments", "post")]
    [InlineData("/api/portfolio", "get")]
    public async Task the_openapi_document_lists_every_endpoint_of_the_contract(string path, string methods)
    {
        var paths = (await OpenApi())["paths"]!.AsObject();

        paths.ContainsKey(path).ShouldBeTrue($"{path} is not in the OpenAPI document; it has {string.Join(", ", paths.Select(p => p.Key))}");
        var operations = paths[path]!.AsObject().Select(x => x.Key).Where(IsMethod).Order().ToArray();
        operations.ShouldBe(methods.Split(',').Order().ToArray());
    }

    [Fact]
    public async Task the_openapi_document_gives_the_status_change_every_answer_it_can_give()
    {
        var responses = await ResponsesOf("/api/commitments/{id}/status", "post");
        string[] expected = ["200", "400", "404", "409", "412"];
        expected.Except(responses).ShouldBeEmpty($"POST /api/commitments/{{id}}/status documents {string.Join(", ", responses)}");
    }

    /// <summary>DESIGN.md §4: each endpoint's success code, 400/404/409/412 where they apply, and 413 on every body over 64 KiB.</summary>
    [Theory]
    [InlineData("/api/commitments", "post", "201,400,409,413")]
    [InlineData("/api/commitments", "get", "200,400")]
    [InlineData("/api/commitments/{id}", "get", "200,400,404")]
    [InlineData("/api/commitments/{id}/progress", "post", "200,400,404,409,412,413")]
    [InlineData("/api/commitments/{id}/status", "post", "200,400,404,409,412,413")]
    [InlineData("/api/commitments/{id}/due-date", "put", "200,400,404,409,412,413")]
    [InlineData("/api/commitments/{id}/follow-ups", "post", "201,400,404,409,412,413")]
    [InlineData("/api/commitments/{id}/history", "get", "200,400,404")]
    [InlineData("/api/audit", "get", "200,400")]
    [InlineData("/api/sources", "post", "201,400,409,413")]
    [InlineData("/api/sources", "get", "200,400")]
    [InlineData("/api/sources/{key}", "get", "200,404")]
    [InlineData("/api/commitments/{id}/translations", "post", "200,400,404,412,413")]
    [InlineData("/api/commitments/{id}/assessments", "post", "200,400,404,412,413")]
    [InlineData("/api/commitments/{id}/retractions", "post", "200,400,404,409,412,413")]
    [InlineData("/api/imports", "post", "200,400,409,413")]
    [InlineData("/api/portfolio", "get", "200,400")]
    public async Task the_openapi_document_lists_the_error_codes_of_each_endpoint(string path, string method, string codes)
    {
        var responses = await ResponsesOf(path, method);
        var missing = codes.Split(',').Except(responses).ToArray();
        missing.ShouldBeEmpty($"{method.ToUpperInvariant()} {path} documents {string.Join(", ", responses)}");
    }

    [Theory]
    [InlineData("/api/commitments", "post")]
    [InlineData("/api/commitments/{id}/progress", "post")]
    [InlineData("/api/commitments/{id}/status", "post")]
    [InlineData("/api/commitments/{id}/due-date", "put")]
    [InlineData("/api/commitments/{id}/follow-ups", "post")]
    [InlineData("/api/commitments/{id}/retractions", "post")]
    [InlineData("/api/commitments/{id}/translations", "post")]
    [InlineData("/api/commitments/{id}/assessments", "post")]
    [InlineData("/api/sources", "post")]
    [InlineData("/api/imports", "post")]
    public async Task the_openapi_document_describes_the_json_body_of_each_write(string path, string method)
    {
        var operation = (await OpenApi())["paths"]![path]![method]!;
        var schema = operation["requestBody"]?["content"]?["application/json"]?["schema"];
        schema.ShouldNotBeNull($"{method.ToUpperInvariant()} {path} has no application/json request body: {operation.Text()}");
    }

    [Fact]
    public async Task the_openapi_document_shows_problem_json_for_the_errors()
    {
        var responses = (await OpenApi())["paths"]!["/api/commitments/{id}/status"]!["post"]!["responses"]!;
        foreach (var code in new[] { "400", "404", "409", "412" })
        {
            responses[code]?["content"]?["application/problem+json"].ShouldNotBeNull($"{code} is not documented as application/problem+json");
        }
    }

    [Fact]
    public async Task the_openapi_document_gives_the_portfolio_its_overdueLimit_and_says_where_every_overdue_one_is_listed()
    {
        var operation = (await OpenApi())["paths"]!["/api/portfolio"]!["get"]!;
        var parameters = operation["parameters"]?.AsArray().Select(p => $"{p!["name"].Text()} in {p["in"].Text()}").ToArray() ?? [];
        parameters.ShouldContain("overdueLimit in query", operation.Text());
        operation["summary"].Text().ShouldContain("GET /api/commitments?overdue=true");
        var properties = (await OpenApi())["components"]?["schemas"]?["PortfolioView"]?["properties"]?.AsObject();
        properties.ShouldNotBeNull();
        properties.Select(p => p.Key).ShouldContain("overdueCount");
    }

    private async Task<JsonObject> OpenApi() => (await Host.Get("/openapi/v1.json")).AsObject();

    private async Task<string[]> ResponsesOf(string path, string method)
    {
        var operation = (await OpenApi())["paths"]?[path]?[method];
        operation.ShouldNotBeNull($"{method.ToUpperInvariant()} {path} is not in the OpenAPI document");
        return operation["responses"]!.AsObject().Select(r => r.Key).ToArray();
    }

    private static bool IsMethod(string key) => key is "get" or "put" or "post" or "delete" or "patch" or "head" or "options";
}

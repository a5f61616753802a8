using System.Text.Json;
using System.Text.Json.Nodes;
using Alba;

namespace CommitmentLedger.Tests.Http;

/// <summary>Small client helpers over Alba so tests read as the requests a user makes.</summary>
public static class LedgerApi
{
    public static async Task<JsonObject> Create(this IAlbaHost host, JsonObject body)
    {
        var result = await host.Scenario(s =>
        {
            s.Post.Json(body).ToUrl("/api/commitments");
            s.StatusCodeShouldBe(201);
        });
        return result.Json();
    }

    public static async Task<JsonObject> Write(this IAlbaHost host, string method, string url, object body,
        int expectedStatus = 200, string? ifMatch = null)
    {
        var result = await host.Scenario(s =>
        {
            var send = method == "PUT" ? s.Put.Json(body) : s.Post.Json(body);
            send.ToUrl(url);
            if (ifMatch is not null)
            {
                s.WithRequestHeader("If-Match", ifMatch);
            }
            s.StatusCodeShouldBe(expectedStatus);
        });
        return result.Json();
    }

    public static async Task<JsonNode> Get(this IAlbaHost host, string url, int expectedStatus = 200)
    {
        var result = await host.Scenario(s =>
        {
            s.Get.Url(url);
            s.StatusCodeShouldBe(expectedStatus);
        });
        return JsonNode.Parse(await result.ReadAsTextAsync())!;
    }

    public static JsonObject Json(this IScenarioResult result) =>
        JsonNode.Parse(result.ReadAsText())!.AsObject();

    public static string Id(this JsonObject view) => view["id"]!.GetValue<string>();

    public static string Text(this JsonNode? node) => node switch
    {
        null => "null",
        JsonValue value when value.TryGetValue<string>(out var s) => s,
        _ => node.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }),
    };
}

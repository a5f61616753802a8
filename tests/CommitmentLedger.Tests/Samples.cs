using System.Text.Json.Nodes;

namespace CommitmentLedger.Tests;

/// <summary>Request bodies as a client would send them.</summary>
public static class Samples
{
    public static JsonObject Commitment(string? externalRef = null, string madeOn = "2021-11-23", string? dueOn = null,
        string status = "declared", string area = "peacekeeping", string kind = "action", string strength = "pledged",
        string[]? parties = null) => new()
    {
        ["kind"] = kind,
        ["strength"] = strength,
        ["title"] = new JsonObject
        {
            ["en"] = "Dispatch GSDF personnel to share UNISFA preparation know-how",
            ["ja"] = "陸上自衛官を中心とした要員のベトナムへの派遣",
        },
        ["parties"] = new JsonArray((parties ?? ["JP-MOD"]).Select(p => (JsonNode)p!).ToArray()),
        ["responsible"] = new JsonArray((parties ?? ["JP-MOD"]).Take(1).Select(p => (JsonNode)p!).ToArray()),
        ["area"] = area,
        ["madeOn"] = madeOn,
        ["dueOn"] = dueOn,
        ["status"] = status,
        ["externalRef"] = externalRef,
        ["source"] = new JsonObject
        {
            ["title"] = "日越防衛相会談(概要)",
            ["publisher"] = "防衛省",
            ["publishedOn"] = "2021-11-23",
            ["section"] = "3. 二国間防衛協力",
            ["quote"] = "陸上自衛官を中心とした要員のベトナムへの派遣を含む、所要の協力を行う旨表明しました。",
            ["quoteLanguage"] = "ja",
        },
    };

    /// <summary>The sample meeting shipped in deploy/sample-data: the seed press release and its commitments.</summary>
    public static JsonObject Meeting()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CommitmentLedger.sln")))
            {
                var path = Path.Combine(dir.FullName, "deploy", "sample-data", "2021-11-23-japan-vietnam-defence-ministers-meeting.json");
                return JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            }
        }
        throw new InvalidOperationException($"No CommitmentLedger.sln above {AppContext.BaseDirectory}");
    }
}

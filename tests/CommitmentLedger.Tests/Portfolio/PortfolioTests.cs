using System.Text.Json.Nodes;
using CommitmentLedger.Tests.Http;
using JasperFx.Core;
using Marten.Events;

namespace CommitmentLedger.Tests.Portfolio;

/// <summary>The portfolio comes from an async projection: each test waits for the daemon to catch up, then reads.</summary>
public class PortfolioTests(AppFixture fixture) : LedgerContext(fixture)
{
    [Fact]
    public async Task The_portfolio_counts_by_status_area_party_kind_and_strength_and_lists_the_overdue()
    {
        Clock.MoveTo("2022-06-01");
        var late = (await Host.Create(Samples.Commitment(dueOn: "2022-12-31"))).Id();
        var mou = (await Host.Create(Samples.Commitment(kind: "instrument", strength: "signed", area: "cyber",
            parties: ["JP-MOD", "VN-MND"], dueOn: "2022-12-31"))).Id();
        await Host.Write("POST", $"/api/commitments/{mou}/status", new { status = "in_progress", reason = "Started" });
        await Host.Write("POST", $"/api/commitments/{mou}/status", new { status = "completed", reason = "Done" });
        await Host.Write("POST", $"/api/commitments/{late}/follow-ups", Samples.Commitment(), expectedStatus: 201);

        Clock.MoveTo("2023-01-05");
        await Host.WaitForNonStaleProjectionDataAsync(30.Seconds());
        var portfolio = (await Host.Get("/api/portfolio")).AsObject();

        portfolio["total"]!.GetValue<int>().ShouldBe(3);
        Counts(portfolio["byStatus"]).ShouldBe("completed=1,declared=2");
        Counts(portfolio["byArea"]).ShouldBe("cyber=1,peacekeeping=2");
        Counts(portfolio["byParty"]).ShouldBe("JP-MOD=3,VN-MND=1");
        Counts(portfolio["byKind"]).ShouldBe("action=2,instrument=1");
        Counts(portfolio["byStrength"]).ShouldBe("pledged=2,signed=1");
        portfolio["overdue"]!.AsArray().Select(o => o!["id"].Text()).ShouldBe([late]);
        portfolio["overdueCount"]!.GetValue<int>().ShouldBe(1);
        portfolio["daemon"]!["eventsBehind"]!.GetValue<long>().ShouldBe(0);
        portfolio["daemon"]!["lastEventSequence"]!.GetValue<long>().ShouldBeGreaterThan(0);

        var parent = await Host.Get($"/api/commitments/{late}");
        parent["followUpRollup"]!["total"]!.GetValue<int>().ShouldBe(1);
        Counts(parent["followUpRollup"]!["byStatus"]).ShouldBe("declared=1");
    }

    [Fact]
    public async Task A_source_rolls_up_the_commitments_citing_it_with_their_completion_share()
    {
        await Host.Write("POST", "/api/sources", new
        {
            key = "jp-vn-2021-11-23", title = "日越防衛相会談(概要)", publisher = "防衛省", publishedOn = "2021-11-23",
            url = "https://www.mod.go.jp/", language = "ja", text = "両大臣は会談を行いました。陸上自衛官を派遣する旨表明しました。",
        }, expectedStatus: 201);
        var ids = new List<string>();
        foreach (var quote in new[] { "両大臣は会談を行いました。", "陸上自衛官を派遣する旨表明しました。" })
        {
            var body = Samples.Commitment();
            body["source"] = new JsonObject { ["key"] = "jp-vn-2021-11-23", ["quote"] = quote };
            ids.Add((await Host.Create(body)).Id());
        }
        await Host.Create(Samples.Commitment());
        await Host.Write("POST", $"/api/commitments/{ids[0]}/status", new { status = "in_progress", reason = "Started" });
        await Host.Write("POST", $"/api/commitments/{ids[0]}/status", new { status = "completed", reason = "Held" });

        await Host.WaitForNonStaleProjectionDataAsync(30.Seconds());
        var rollup = await Host.Get("/api/sources/jp-vn-2021-11-23/rollup");

        rollup["commitments"]!["total"]!.GetValue<int>().ShouldBe(2);
        rollup["commitments"]!["completed"]!.GetValue<int>().ShouldBe(1);
        rollup["commitments"]!["completionShare"]!.GetValue<double>().ShouldBe(0.5);
        Counts(rollup["commitments"]!["byStatus"]).ShouldBe("completed=1,declared=1");
        rollup["daemon"]!["eventsBehind"]!.GetValue<long>().ShouldBe(0);

        await Host.Get("/api/sources/no-such-source/rollup", 404);
    }

    [Fact]
    public async Task A_retracted_status_change_leaves_the_portfolio_too()
    {
        var id = (await Host.Create(Samples.Commitment())).Id();
        var changed = await Host.Write("POST", $"/api/commitments/{id}/status", new { status = "in_progress", reason = "Started" });
        await Host.Write("POST", $"/api/commitments/{id}/retractions",
            new { version = changed["version"]!.GetValue<long>(), reason = "Had not started" });

        await Host.WaitForNonStaleProjectionDataAsync(30.Seconds());
        Counts((await Host.Get("/api/portfolio"))["byStatus"]).ShouldBe("declared=1");
    }

    [Fact]
    public async Task The_overdue_list_is_the_most_overdue_first_up_to_overdueLimit_and_overdueCount_counts_them_all()
    {
        Clock.MoveTo("2022-06-01");
        var ids = await Import(
            ("b", "2022-07-31", "declared"),
            ("a1", "2022-09-30", "declared"),
            ("done", "2022-08-15", "completed"),
            ("a2", "2022-09-30", "in_progress"),
            ("future", "2023-06-30", "declared"),
            ("undated", null, "declared"),
            ("a3", "2022-09-30", "suspended"),
            ("dropped", "2022-12-01", "cancelled"));
        // Earliest due date first, ties by id (PostgreSQL orders uuids as their hex text).
        string[] expected = [ids["b"], .. new[] { ids["a1"], ids["a2"], ids["a3"] }.Order(StringComparer.Ordinal)];

        Clock.MoveTo("2023-01-05");
        await Host.WaitForNonStaleProjectionDataAsync(30.Seconds());

        var two = await Host.Get("/api/portfolio?overdueLimit=2");
        two["overdueCount"]!.GetValue<int>().ShouldBe(4);
        two["overdue"]!.AsArray().Select(o => o!["id"].Text()).ShouldBe(expected.Take(2));
        two["total"]!.GetValue<int>().ShouldBe(8);

        var all = await Host.Get("/api/portfolio?overdueLimit=500");
        all["overdueCount"]!.GetValue<int>().ShouldBe(4);
        all["overdue"]!.AsArray().Select(o => o!["id"].Text()).ShouldBe(expected);
        var first = all["overdue"]![0]!;
        first["dueOn"].Text().ShouldBe("2022-07-31");
        first["status"].Text().ShouldBe("declared");
        first["area"].Text().ShouldBe("peacekeeping");
        first["title"]!["en"].Text().ShouldBe("Overdue b");

        // The commitment list is the way through all of them, and agrees.
        var listed = (await Host.Get("/api/commitments?overdue=true&limit=500"))["items"]!.AsArray();
        listed.Select(c => c!["id"].Text()).Order(StringComparer.Ordinal).ShouldBe(expected.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Without_overdueLimit_the_portfolio_lists_the_first_50_overdue_of_more_and_counts_them_all()
    {
        Clock.MoveTo("2022-06-01");
        // 60 overdue, due on 60 different days, in an order unlike the order they are recorded in (7 is prime to 60).
        var due = Enumerable.Range(0, 60).ToDictionary(i => $"late-{i}", i => new DateOnly(2022, 7, 1).AddDays(i * 7 % 60));
        var ids = await Import(due.Select(d => (d.Key, (string?)d.Value.ToString("yyyy-MM-dd"), "declared")).ToArray());
        var expected = due.OrderBy(d => d.Value).Select(d => ids[d.Key]).Take(50).ToArray();

        Clock.MoveTo("2023-01-05");
        await Host.WaitForNonStaleProjectionDataAsync(30.Seconds());
        var portfolio = await Host.Get("/api/portfolio");

        portfolio["overdueCount"]!.GetValue<int>().ShouldBe(60);
        portfolio["overdue"]!.AsArray().Select(o => o!["id"].Text()).ShouldBe(expected);
        portfolio["total"]!.GetValue<int>().ShouldBe(60);
        Counts(portfolio["byStatus"]).ShouldBe("declared=60");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("501")]
    [InlineData("abc")]
    [InlineData("")]
    public async Task A_bad_overdueLimit_is_a_400_naming_it(string value)
    {
        var result = await Host.Scenario(s =>
        {
            s.Get.Url($"/api/portfolio?overdueLimit={value}");
            s.StatusCodeShouldBe(400);
        });
        result.Context.Response.ContentType.ShouldNotBeNull().ShouldStartWith("application/problem+json");
        result.Json()["errors"]!.AsObject().Select(e => e.Key).ShouldBe(["overdueLimit"], result.ReadAsText());
    }

    /// <summary>Imports commitments (ref, due date, status) in one request, the fastest way to record many; their ids by ref.</summary>
    private async Task<Dictionary<string, string>> Import(params (string Ref, string? DueOn, string Status)[] entries)
    {
        var file = new JsonObject
        {
            ["source"] = new JsonObject
            {
                ["key"] = "overdue-test", ["title"] = "Overdue test", ["publisher"] = "Tests", ["publishedOn"] = "2021-11-23",
                ["language"] = "en",
            },
            ["commitments"] = new JsonArray(entries.Select(e =>
            {
                var body = Samples.Commitment(dueOn: e.DueOn, status: e.Status);
                body.Remove("source");
                body.Remove("externalRef");
                body["title"] = new JsonObject { ["en"] = $"Overdue {e.Ref}" };
                body["ref"] = e.Ref;
                return (JsonNode)body;
            }).ToArray()),
        };
        var result = await Host.Write("POST", "/api/imports", file);
        result["created"]!.GetValue<int>().ShouldBe(entries.Length);
        return result["commitments"]!.AsArray().ToDictionary(c => c!["ref"].Text(), c => c!["id"].Text());
    }

    private static string Counts(JsonNode? counts) =>
        string.Join(",", counts!.AsObject().Select(c => $"{c.Key}={c.Value!.GetValue<int>()}"));
}

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

    private static string Counts(JsonNode? counts) =>
        string.Join(",", counts!.AsObject().Select(c => $"{c.Key}={c.Value!.GetValue<int>()}"));
}

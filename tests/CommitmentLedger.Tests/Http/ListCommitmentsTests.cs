using System.Text.Json.Nodes;

namespace CommitmentLedger.Tests.Http;

public class ListCommitmentsTests(AppFixture fixture) : LedgerContext(fixture)
{
    private async Task<string[]> Ids(string query) =>
        (await Host.Get("/api/commitments" + query))["items"]!.AsArray().Select(x => x!["id"].Text()).ToArray();

    [Fact]
    public async Task each_filter_returns_exactly_the_matching_commitments()
    {
        var pledge = await Host.Create(Samples.Commitment(kind: "action", strength: "pledged", area: "peacekeeping", parties: ["JP-MOD"]));
        var mou = await Host.Create(Samples.Commitment(kind: "instrument", strength: "signed", area: "cybersecurity",
            status: "in_progress", parties: ["JP-MOD", "VN-MND"]));
        var overdueBody = Samples.Commitment(kind: "action", strength: "agreed", area: "defence-equipment", dueOn: "2022-06-30",
            parties: ["VN-MND"]);
        overdueBody["title"] = new JsonObject { ["en"] = "Accelerate consultations on vessel transfers", ["ja"] = "艦艇分野を含め協議を加速化" };
        var overdue = await Host.Create(overdueBody);
        var child = await Host.Write("POST", $"/api/commitments/{mou.Id()}/follow-ups",
            Samples.Commitment(area: "cybersecurity", strength: "agreed", parties: ["JP-MOD", "VN-MND"]), 201);

        (await Ids("?status=in_progress")).ShouldBe([mou.Id()]);
        (await Ids("?kind=instrument")).ShouldBe([mou.Id()]);
        (await Ids("?area=cybersecurity")).ShouldBe([mou.Id(), child.Id()]);
        (await Ids("?party=VN-MND")).ShouldBe([mou.Id(), overdue.Id(), child.Id()]);
        (await Ids($"?parentId={mou.Id()}")).ShouldBe([child.Id()]);
        (await Ids("?overdue=true")).ShouldBe([overdue.Id()]);
        (await Ids("?overdue=false")).ShouldBe([pledge.Id(), mou.Id(), child.Id()]);
        (await Ids("?q=VESSEL")).ShouldBe([overdue.Id()]);
        (await Ids("?q=" + Uri.EscapeDataString("艦艇"))).ShouldBe([overdue.Id()]);
        (await Ids("?party=VN-MND&area=cybersecurity&kind=action")).ShouldBe([child.Id()]);
        (await Ids("?q=nothing-like-this")).ShouldBeEmpty();
    }

    [Fact]
    public async Task paging_with_the_cursor_visits_every_commitment_once_in_recorded_order()
    {
        var created = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            created.Add((await Host.Create(Samples.Commitment())).Id());
        }

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await Host.Get("/api/commitments?limit=3" + (cursor is null ? "" : "&cursor=" + cursor));
            seen.AddRange(page["items"]!.AsArray().Select(x => x!["id"].Text()));
            cursor = page["nextCursor"]?.GetValue<string>();
            pages++;
        } while (cursor is not null);

        seen.ShouldBe(created);
        pages.ShouldBe(3);
    }

    [Fact]
    public async Task a_page_has_a_stable_shape_with_a_null_cursor_at_the_end()
    {
        var page = (await Host.Get("/api/commitments")).AsObject();
        page["items"]!.AsArray().ShouldBeEmpty();
        page.ContainsKey("nextCursor").ShouldBeTrue();
        page["nextCursor"].ShouldBeNull();
    }
}

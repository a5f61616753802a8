using System.Text.Json.Nodes;

namespace CommitmentLedger.Tests.Http;

/// <summary>validAt (the world on a date) and asOf (what the ledger had recorded by a moment), apart and together.</summary>
public class TwoClocksTests(AppFixture fixture) : LedgerContext(fixture)
{
    [Fact]
    public async Task a_back_dated_entry_lands_on_its_effective_date_for_valid_at_and_stays_in_recorded_order_for_as_of()
    {
        // A due date years ahead: no deadline check appends anything while the two clocks are compared.
        var id = (await Host.Create(Samples.Commitment(dueOn: "2099-12-31"))).Id();
        await Host.Write("POST", $"/api/commitments/{id}/progress", new { note = "Second team arrived", effectiveOn = "2022-05-01" });
        var beforeBackDated = await RecordedAtOfLatest(id);
        await Task.Delay(5);
        // News arrives late: the dispatch began in February, learned after the May report was recorded.
        await Host.Write("POST", $"/api/commitments/{id}/status", new { status = "in_progress", reason = "Dispatch began", effectiveOn = "2022-02-01" });
        await Host.Write("POST", $"/api/commitments/{id}/progress", new { note = "First team arrived", effectiveOn = "2022-02-10" });

        var march = await Host.Get($"/api/commitments/{id}?validAt=2022-03-01");
        march["status"].Text().ShouldBe("in_progress");
        march["statusSince"].Text().ShouldBe("2022-02-01");
        march["lastProgress"]!["note"].Text().ShouldBe("First team arrived");
        march["version"]!.GetValue<long>().ShouldBe(4);

        var january = await Host.Get($"/api/commitments/{id}?validAt=2022-01-15");
        january["status"].Text().ShouldBe("declared");
        january["lastProgress"].ShouldBeNull();

        var june = await Host.Get($"/api/commitments/{id}?validAt=2022-06-01");
        june["lastProgress"]!["note"].Text().ShouldBe("Second team arrived", "the May report is the latest in the world though recorded first");

        var now = await Host.Get($"/api/commitments/{id}");
        now["lastProgress"]!["note"].Text().ShouldBe("Second team arrived");
        now["status"].Text().ShouldBe("in_progress");

        var asRecordedThen = await Host.Get($"/api/commitments/{id}?asOf={Uri.EscapeDataString(beforeBackDated)}");
        asRecordedThen["version"]!.GetValue<long>().ShouldBe(2);
        asRecordedThen["status"].Text().ShouldBe("declared", "the ledger did not know of the dispatch yet");

        var believedThenAboutMarch = await Host.Get($"/api/commitments/{id}?asOf={Uri.EscapeDataString(beforeBackDated)}&validAt=2022-03-01");
        believedThenAboutMarch["status"].Text().ShouldBe("declared");
        believedThenAboutMarch["lastProgress"].ShouldBeNull();
        believedThenAboutMarch["version"]!.GetValue<long>().ShouldBe(2);

        var history = (await Host.Get($"/api/commitments/{id}/history")).AsArray();
        history.Select(e => e!["effectiveOn"].Text()).ShouldBe(["2021-11-23", "2022-05-01", "2022-02-01", "2022-02-10"]);
    }

    [Fact]
    public async Task overdue_is_judged_on_the_date_asked_about()
    {
        var id = (await Host.Create(Samples.Commitment(dueOn: "2022-06-30"))).Id();

        (await Host.Get($"/api/commitments/{id}?validAt=2022-06-30"))["overdue"]!.GetValue<bool>().ShouldBeFalse();
        (await Host.Get($"/api/commitments/{id}?validAt=2022-07-01"))["overdue"]!.GetValue<bool>().ShouldBeTrue();
    }

    [Fact]
    public async Task valid_at_a_date_before_the_commitment_was_made_is_404()
    {
        var id = (await Host.Create(Samples.Commitment(madeOn: "2021-11-23"))).Id();

        await Host.Get($"/api/commitments/{id}?validAt=2021-11-22", 404);
        (await Host.Get($"/api/commitments/{id}?validAt=2021-11-23"))["status"].Text().ShouldBe("declared");
    }

    [Fact]
    public async Task a_status_change_cannot_take_effect_before_the_status_it_leaves_began()
    {
        var id = (await Host.Create(Samples.Commitment())).Id();
        await Host.Write("POST", $"/api/commitments/{id}/status", new { status = "in_progress", reason = "Talks began", effectiveOn = "2022-03-01" });

        var problem = await Host.Write("POST", $"/api/commitments/{id}/status",
            new { status = "suspended", reason = "Paused", effectiveOn = "2022-02-01" }, 400);

        problem["errors"]!["effectiveOn"]![0].Text().ShouldContain("2022-03-01");
        (await Host.Get($"/api/commitments/{id}"))["version"]!.GetValue<long>().ShouldBe(2);
    }

    [Fact]
    public async Task the_list_with_valid_at_filters_on_the_status_in_the_world_on_that_date()
    {
        var early = (await Host.Create(Samples.Commitment())).Id();
        var late = (await Host.Create(Samples.Commitment())).Id();
        var later = (await Host.Create(Samples.Commitment(madeOn: "2022-06-01"))).Id();
        await Host.Write("POST", $"/api/commitments/{early}/status", new { status = "in_progress", reason = "r", effectiveOn = "2022-01-10" });
        await Host.Write("POST", $"/api/commitments/{late}/status", new { status = "in_progress", reason = "r", effectiveOn = "2022-04-10" });

        (await Ids("?validAt=2022-02-01&status=in_progress")).ShouldBe([early]);
        (await Ids("?validAt=2022-02-01&status=declared")).ShouldBe([late]);
        (await Ids("?validAt=2022-05-01&status=in_progress")).ShouldBe([early, late]);
        (await Ids("?validAt=2022-05-01")).ShouldBe([early, late], "the third was made in June");
        (await Ids("?validAt=2022-07-01&status=declared")).ShouldBe([later]);
        (await Ids("?status=in_progress")).ShouldBe([early, late]);
    }

    [Fact]
    public async Task the_list_as_of_a_moment_holds_what_was_recorded_by_then_in_the_state_it_had_and_pages()
    {
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await Host.Create(Samples.Commitment())).Id());
        }
        var moment = await RecordedAtOfLatest(ids[^1]);
        await Task.Delay(5);
        await Host.Create(Samples.Commitment());
        await Host.Write("POST", $"/api/commitments/{ids[0]}/status", new { status = "in_progress", reason = "r" });

        (await Ids($"?asOf={Uri.EscapeDataString(moment)}&status=declared")).ShouldBe(ids);
        (await Ids($"?asOf={Uri.EscapeDataString(moment)}&status=in_progress")).ShouldBeEmpty();

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await Host.Get($"/api/commitments?asOf={Uri.EscapeDataString(moment)}&limit=2" + (cursor is null ? "" : "&cursor=" + cursor));
            seen.AddRange(page["items"]!.AsArray().Select(x => x!["id"].Text()));
            cursor = page["nextCursor"]?.GetValue<string>();
        } while (cursor is not null);
        seen.ShouldBe(ids);
    }

    private async Task<string[]> Ids(string query) =>
        (await Host.Get("/api/commitments" + query))["items"]!.AsArray().Select(x => x!["id"].Text()).ToArray();

    /// <summary>A moment just after the latest entry of the commitment was recorded.</summary>
    private async Task<string> RecordedAtOfLatest(string id)
    {
        var history = (await Host.Get($"/api/commitments/{id}/history")).AsArray();
        return DateTimeOffset.Parse(history[^1]!["recordedAt"].Text()).AddTicks(10).ToString("O");
    }
}

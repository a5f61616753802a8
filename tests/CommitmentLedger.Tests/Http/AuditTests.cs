using Alba;

namespace CommitmentLedger.Tests.Http;

public class AuditTests(AppFixture fixture) : LedgerContext(fixture)
{
    [Fact]
    public async Task history_lists_every_entry_oldest_first_with_martens_metadata_and_the_effective_date()
    {
        var created = await Host.Create(Samples.Commitment());
        var id = created.Id();
        await Host.Scenario(s =>
        {
            s.Post.Json(new { note = "Preparatory visit", effectiveOn = "2022-01-10" }).ToUrl($"/api/commitments/{id}/progress");
            s.WithRequestHeader("X-Correlation-ID", "audit-trail-42");
        });
        await Host.Write("POST", $"/api/commitments/{id}/status", new { status = "in_progress", reason = "Dispatch began", effectiveOn = "2022-02-01" });

        var history = (await Host.Get($"/api/commitments/{id}/history")).AsArray();

        history.Select(e => e!["type"].Text()).ShouldBe(["CommitmentRecorded", "ProgressReported", "StatusChanged"]);
        history.Select(e => e!["version"]!.GetValue<long>()).ShouldBe([1L, 2L, 3L]);
        history.Select(e => e!["sequence"]!.GetValue<long>()).ShouldBeInOrder();
        history.Select(e => e!["effectiveOn"].Text()).ShouldBe(["2021-11-23", "2022-01-10", "2022-02-01"]);
        history.ShouldAllBe(e => e!["recordedBy"].Text() == "test-admin");
        history[1]!["correlationId"].Text().ShouldBe("audit-trail-42");
        history[1]!["data"]!["note"].Text().ShouldBe("Preparatory visit");
        history[2]!["data"]!["from"].Text().ShouldBe("declared");
        history[2]!["data"]!["reason"].Text().ShouldBe("Dispatch began");
        DateTimeOffset.Parse(history[2]!["recordedAt"].Text()).ShouldBeGreaterThanOrEqualTo(DateTimeOffset.Parse(history[1]!["recordedAt"].Text()));
    }

    [Fact]
    public async Task each_history_entry_names_the_fields_it_changed_with_their_values_before_and_after()
    {
        var id = (await Host.Create(Samples.Commitment())).Id();
        await Host.Write("POST", $"/api/commitments/{id}/progress", new { note = "Preparatory visit", effectiveOn = "2022-01-10" });
        await Host.Write("POST", $"/api/commitments/{id}/progress", new { note = "Team arrived", effectiveOn = "2022-01-20" });
        await Host.Write("POST", $"/api/commitments/{id}/status", new { status = "in_progress", reason = "Dispatch began", effectiveOn = "2022-02-01" });
        await Host.Write("PUT", $"/api/commitments/{id}/due-date", new { dueOn = "2022-12-31", reason = "Agreed timetable" });

        var history = (await Host.Get($"/api/commitments/{id}/history")).AsArray();
        var changes = history.Select(e => e!["changes"]!.AsArray()
            .ToDictionary(c => c!["field"].Text(), c => (From: c!["from"].Text(), To: c!["to"].Text()))).ToList();

        changes[0]["status"].ShouldBe(("null", "declared"));
        changes[0]["madeOn"].ShouldBe(("null", "2021-11-23"));
        changes[0].Keys.ShouldNotContain("dueOn", "a field the recording left empty did not change");
        changes[0].Keys.ShouldNotContain("version");

        changes[1].Keys.ShouldBe(["lastProgress"]);
        changes[1]["lastProgress"].From.ShouldBe("null");
        changes[1]["lastProgress"].To.ShouldContain("Preparatory visit");

        changes[2]["lastProgress.note"].ShouldBe(("Preparatory visit", "Team arrived"));
        changes[2]["lastProgress.effectiveOn"].ShouldBe(("2022-01-10", "2022-01-20"));
        changes[2].Keys.ShouldNotContain("status");

        changes[3].Keys.Order().ShouldBe(["status", "statusSince"]);
        changes[3]["status"].ShouldBe(("declared", "in_progress"));
        changes[3]["statusSince"].ShouldBe(("2021-11-23", "2022-02-01"));

        changes[4].Keys.ShouldBe(["dueOn"]);
        changes[4]["dueOn"].ShouldBe(("null", "2022-12-31"));
    }

    [Fact]
    public async Task as_of_a_moment_between_two_updates_returns_the_earlier_state()
    {
        var created = await Host.Create(Samples.Commitment());
        var id = created.Id();
        await Host.Write("POST", $"/api/commitments/{id}/progress", new { note = "first report" });
        var history = (await Host.Get($"/api/commitments/{id}/history")).AsArray();
        var between = DateTimeOffset.Parse(history[1]!["recordedAt"].Text()).AddTicks(10);
        await Task.Delay(5);
        await Host.Write("POST", $"/api/commitments/{id}/progress", new { note = "second report" });

        var then = await Host.Get($"/api/commitments/{id}?asOf={Uri.EscapeDataString(between.ToString("O"))}");
        then["version"]!.GetValue<long>().ShouldBe(2);
        then["lastProgress"]!["note"].Text().ShouldBe("first report");

        var now = await Host.Get($"/api/commitments/{id}");
        now["lastProgress"]!["note"].Text().ShouldBe("second report");
    }

    [Fact]
    public async Task as_of_before_the_commitment_was_recorded_is_404()
    {
        var created = await Host.Create(Samples.Commitment());
        await Host.Get($"/api/commitments/{created.Id()}?asOf=2020-01-01T00:00:00Z", 404);
    }

    [Fact]
    public async Task history_of_an_unknown_commitment_is_404()
    {
        await Host.Get($"/api/commitments/{Guid.NewGuid()}/history", 404);
    }
}

using CommitmentLedger.Commitments;
using Marten;

namespace CommitmentLedger.Tests.Http;

public class RetractionTests(AppFixture fixture) : LedgerContext(fixture)
{
    [Fact]
    public async Task retracting_a_status_change_puts_the_status_back_and_the_history_keeps_the_entry_marked_and_the_retraction()
    {
        var id = (await Host.Create(Samples.Commitment())).Id();
        await Host.Write("POST", $"/api/commitments/{id}/status", new { status = "in_progress", reason = "Dispatch began", effectiveOn = "2022-02-01" });
        await Host.Write("POST", $"/api/commitments/{id}/progress", new { note = "Team in Hanoi", effectiveOn = "2022-02-10" });

        var view = await Host.Write("POST", $"/api/commitments/{id}/retractions", new { version = 2, reason = "The dispatch was only planned" });

        view["status"].Text().ShouldBe("declared");
        view["statusSince"].Text().ShouldBe("2021-11-23");
        view["version"]!.GetValue<long>().ShouldBe(4);
        view["lastProgress"]!["note"].Text().ShouldBe("Team in Hanoi", "only the retracted entry is undone");
        (await Host.Get($"/api/commitments/{id}"))["status"].Text().ShouldBe("declared");
        (await Host.Get($"/api/commitments/{id}?validAt=2022-03-01"))["status"].Text().ShouldBe("declared");

        var history = (await Host.Get($"/api/commitments/{id}/history")).AsArray();
        history.Select(e => e!["type"].Text()).ShouldBe(["CommitmentRecorded", "StatusChanged", "ProgressReported", "EntryRetracted"]);
        var retracted = history[1]!["retracted"]!;
        retracted["version"]!.GetValue<long>().ShouldBe(4);
        retracted["recordedBy"].Text().ShouldBe("test-admin");
        retracted["reason"].Text().ShouldBe("The dispatch was only planned");
        history[1]!["data"]!["to"].Text().ShouldBe("in_progress", "the retracted entry itself is never rewritten");
        history[2]!["retracted"].ShouldBeNull();
        history[3]!["data"]!["retractedVersion"]!.GetValue<long>().ShouldBe(2);
        var changes = history[3]!["changes"]!.AsArray().ToDictionary(c => c!["field"].Text(), c => (c!["from"].Text(), c!["to"].Text()));
        changes["status"].ShouldBe(("in_progress", "declared"));

        // As the ledger stood before the retraction, the status change still counted.
        var beforeRetraction = DateTimeOffset.Parse(history[2]!["recordedAt"].Text()).AddTicks(10).ToString("O");
        (await Host.Get($"/api/commitments/{id}?asOf={Uri.EscapeDataString(beforeRetraction)}"))["status"].Text().ShouldBe("in_progress");
    }

    [Fact]
    public async Task retracting_progress_or_a_due_date_brings_back_the_one_before()
    {
        var id = (await Host.Create(Samples.Commitment())).Id();
        await Host.Write("POST", $"/api/commitments/{id}/progress", new { note = "Visit planned", effectiveOn = "2022-01-10" });
        await Host.Write("POST", $"/api/commitments/{id}/progress", new { note = "Visit took place", effectiveOn = "2022-01-20" });
        await Host.Write("PUT", $"/api/commitments/{id}/due-date", new { dueOn = "2022-06-30", reason = "First timetable" });
        await Host.Write("PUT", $"/api/commitments/{id}/due-date", new { dueOn = "2022-12-31", reason = "Moved" });

        var afterProgress = await Host.Write("POST", $"/api/commitments/{id}/retractions", new { version = 3, reason = "No visit took place" });
        afterProgress["lastProgress"]!["note"].Text().ShouldBe("Visit planned");
        afterProgress["dueOn"].Text().ShouldBe("2022-12-31");

        var afterDueDate = await Host.Write("POST", $"/api/commitments/{id}/retractions", new { version = 5, reason = "Not agreed" });
        afterDueDate["dueOn"].Text().ShouldBe("2022-06-30");
        afterDueDate["lastProgress"]!["note"].Text().ShouldBe("Visit planned");
    }

    [Fact]
    public async Task a_retraction_that_would_leave_a_later_status_move_impossible_is_409_naming_it_and_writes_nothing()
    {
        var id = (await Host.Create(Samples.Commitment())).Id();
        await Host.Write("POST", $"/api/commitments/{id}/status", new { status = "in_progress", reason = "Began", effectiveOn = "2022-02-01" });
        await Host.Write("POST", $"/api/commitments/{id}/status", new { status = "completed", reason = "Done", effectiveOn = "2022-05-01" });

        var problem = await Host.Write("POST", $"/api/commitments/{id}/retractions", new { version = 2, reason = "Never began" }, 409);

        problem["dependentVersions"]!.AsArray().Select(v => v!.GetValue<long>()).ShouldBe([3L]);
        problem["detail"].Text().ShouldContain("entry 3");
        (await Host.Get($"/api/commitments/{id}"))["version"]!.GetValue<long>().ShouldBe(3);

        // Retracting the dependent entry first, then the one it depended on, is allowed.
        (await Host.Write("POST", $"/api/commitments/{id}/retractions", new { version = 3, reason = "Not done" }))["status"].Text().ShouldBe("in_progress");
        (await Host.Write("POST", $"/api/commitments/{id}/retractions", new { version = 2, reason = "Never began" }))["status"].Text().ShouldBe("declared");
    }

    [Fact]
    public async Task an_entry_is_retracted_once_and_a_retraction_cannot_be_retracted()
    {
        var id = (await Host.Create(Samples.Commitment())).Id();
        await Host.Write("POST", $"/api/commitments/{id}/progress", new { note = "Wrong report" });
        await Host.Write("POST", $"/api/commitments/{id}/retractions", new { version = 2, reason = "Wrong" });

        var twice = await Host.Write("POST", $"/api/commitments/{id}/retractions", new { version = 2, reason = "Again" }, 409);
        twice["retractedBy"]!.GetValue<long>().ShouldBe(3);
        var ofRetraction = await Host.Write("POST", $"/api/commitments/{id}/retractions", new { version = 3, reason = "Undo" }, 400);
        ofRetraction["errors"]!["version"]![0].Text().ShouldContain("retraction");

        (await Host.Get($"/api/commitments/{id}"))["version"]!.GetValue<long>().ShouldBe(3);
    }

    [Fact]
    public async Task a_version_that_exists_only_in_another_commitment_is_400_and_writes_nothing()
    {
        var busy = (await Host.Create(Samples.Commitment())).Id();
        await Host.Write("POST", $"/api/commitments/{busy}/progress", new { note = "one" });
        await Host.Write("POST", $"/api/commitments/{busy}/progress", new { note = "two" });
        var quiet = (await Host.Create(Samples.Commitment())).Id();

        var problem = await Host.Write("POST", $"/api/commitments/{quiet}/retractions", new { version = 3, reason = "r" }, 400);

        problem["errors"]!["version"]![0].Text().ShouldContain("no entry 3");
        (await Host.Get($"/api/commitments/{quiet}"))["version"]!.GetValue<long>().ShouldBe(1);
        (await Host.Get($"/api/commitments/{busy}"))["version"]!.GetValue<long>().ShouldBe(3);
    }

    [Fact]
    public async Task the_stored_view_after_retractions_is_what_rebuilding_the_projection_and_live_aggregation_give()
    {
        var id = (await Host.Create(Samples.Commitment())).Id();
        await Host.Write("POST", $"/api/commitments/{id}/status", new { status = "in_progress", reason = "Began", effectiveOn = "2022-02-01" });
        await Host.Write("POST", $"/api/commitments/{id}/progress", new { note = "first", effectiveOn = "2022-02-02" });
        await Host.Write("POST", $"/api/commitments/{id}/progress", new { note = "second", effectiveOn = "2022-02-03" });
        await Host.Write("POST", $"/api/commitments/{id}/retractions", new { version = 4, reason = "Wrong" });
        await Host.Write("POST", $"/api/commitments/{id}/retractions", new { version = 2, reason = "Wrong too" });
        var stored = await Host.Get($"/api/commitments/{id}");

        await using (var session = Store.LightweightSession())
        {
            var live = (await session.Events.AggregateStreamAsync<Commitment>(Guid.Parse(id))).ShouldNotBeNull();
            live.Status.ShouldBe(LifecycleStatus.Declared);
            live.LastProgress!.Note.ShouldBe("first");
            live.Version.ShouldBe(6);
        }

        using var daemon = await Store.BuildProjectionDaemonAsync();
        await daemon.RebuildProjectionAsync<CommitmentProjection>(CancellationToken.None);
        var rebuilt = await Host.Get($"/api/commitments/{id}");

        rebuilt.ToJsonString().ShouldBe(stored.ToJsonString());
        rebuilt["status"].Text().ShouldBe("declared");
        rebuilt["lastProgress"]!["note"].Text().ShouldBe("first");
    }
}

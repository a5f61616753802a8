using Alba;

namespace CommitmentLedger.Tests.Http;

public class WriteEndpointTests(AppFixture fixture) : LedgerContext(fixture)
{
    [Fact]
    public async Task progress_is_shown_as_last_progress_with_who_and_when()
    {
        var created = await Host.Create(Samples.Commitment());
        var view = await Host.Write("POST", $"/api/commitments/{created.Id()}/progress", new
        {
            note = "First GSDF team arrived in Hanoi",
            effectiveOn = "2022-01-20",
            evidence = new[] { new { title = "MOD announcement", url = "https://www.mod.go.jp/" } },
        });

        view["version"]!.GetValue<long>().ShouldBe(2);
        view["lastProgress"]!["note"].Text().ShouldBe("First GSDF team arrived in Hanoi");
        view["lastProgress"]!["effectiveOn"].Text().ShouldBe("2022-01-20");
        view["lastProgress"]!["recordedBy"].Text().ShouldBe("test-admin");
        DateTimeOffset.Parse(view["lastProgress"]!["recordedAt"].Text()).ShouldBeGreaterThan(DateTimeOffset.UtcNow.AddMinutes(-5));
    }

    [Fact]
    public async Task a_status_change_moves_status_and_status_since()
    {
        var created = await Host.Create(Samples.Commitment());
        var view = await Host.Write("POST", $"/api/commitments/{created.Id()}/status",
            new { status = "in_progress", reason = "Talks started", effectiveOn = "2022-02-01" });

        view["status"].Text().ShouldBe("in_progress");
        view["statusSince"].Text().ShouldBe("2022-02-01");
    }

    [Fact]
    public async Task a_move_the_lifecycle_forbids_is_409_and_changes_nothing()
    {
        var created = await Host.Create(Samples.Commitment(status: "completed"));
        var problem = await Host.Write("POST", $"/api/commitments/{created.Id()}/status",
            new { status = "in_progress", reason = "reopen" }, 409);

        problem["detail"].Text().ShouldContain("completed");
        (await Host.Get($"/api/commitments/{created.Id()}"))["version"]!.GetValue<long>().ShouldBe(1);
    }

    [Fact]
    public async Task if_match_with_the_current_etag_succeeds_and_a_stale_one_is_412()
    {
        var created = await Host.Create(Samples.Commitment());
        var url = $"/api/commitments/{created.Id()}/progress";
        await Host.Write("POST", url, new { note = "first" }, 200, ifMatch: "\"1\"");

        var problem = await Host.Write("POST", url, new { note = "based on version 1" }, 412, ifMatch: "\"1\"");
        problem["currentVersion"]!.GetValue<long>().ShouldBe(2);
        (await Host.Get($"/api/commitments/{created.Id()}"))["lastProgress"]!["note"].Text().ShouldBe("first");
    }

    [Fact]
    public async Task get_returns_the_etag_of_the_current_version()
    {
        var created = await Host.Create(Samples.Commitment());
        await Host.Write("POST", $"/api/commitments/{created.Id()}/progress", new { note = "n" });
        await Host.Scenario(s =>
        {
            s.Get.Url($"/api/commitments/{created.Id()}");
            s.Header("ETag").SingleValueShouldEqual("\"2\"");
        });
    }

    [Fact]
    public async Task the_due_date_can_be_set_moved_and_makes_a_commitment_overdue_once_passed()
    {
        var created = await Host.Create(Samples.Commitment());
        var url = $"/api/commitments/{created.Id()}/due-date";

        var set = await Host.Write("PUT", url, new { dueOn = "2022-06-30", reason = "Agreed timetable" });
        set["dueOn"].Text().ShouldBe("2022-06-30");
        set["overdue"]!.GetValue<bool>().ShouldBeTrue();

        var future = DateTime.UtcNow.AddYears(1).ToString("yyyy-MM-dd");
        var moved = await Host.Write("PUT", url, new { dueOn = future, reason = "Postponed" });
        moved["dueOn"].Text().ShouldBe(future);
        moved["overdue"]!.GetValue<bool>().ShouldBeFalse();
        moved["version"]!.GetValue<long>().ShouldBe(3);

        var repeated = await Host.Write("PUT", url, new { dueOn = future, reason = "Postponed" });
        repeated["version"]!.GetValue<long>().ShouldBe(3);
    }

    [Fact]
    public async Task a_follow_up_is_created_under_its_parent()
    {
        var parent = await Host.Create(Samples.Commitment());
        var result = await Host.Scenario(s =>
        {
            s.Post.Json(Samples.Commitment(strength: "agreed", parties: ["JP-MOD", "VN-MND"]))
                .ToUrl($"/api/commitments/{parent.Id()}/follow-ups");
            s.StatusCodeShouldBe(201);
        });
        var child = result.Json();
        result.Context.Response.Headers.Location.ToString().ShouldBe($"/api/commitments/{child.Id()}");
        child["parentId"].Text().ShouldBe(parent.Id());

        var parentNow = await Host.Get($"/api/commitments/{parent.Id()}");
        parentNow["followUps"]!.AsArray().Select(x => x.Text()).ShouldBe([child.Id()]);
        var children = await Host.Get($"/api/commitments?parentId={parent.Id()}");
        children["items"]!.AsArray().Select(x => x!["id"].Text()).ShouldBe([child.Id()]);
    }

    [Fact]
    public async Task a_follow_up_with_a_stale_if_match_on_the_parent_is_412_and_creates_nothing()
    {
        var parent = await Host.Create(Samples.Commitment());
        await Host.Write("POST", $"/api/commitments/{parent.Id()}/progress", new { note = "moved on" });

        await Host.Write("POST", $"/api/commitments/{parent.Id()}/follow-ups", Samples.Commitment(), 412, ifMatch: "\"1\"");

        (await Host.Get("/api/commitments"))["items"]!.AsArray().Count.ShouldBe(1);
        await Host.Write("POST", $"/api/commitments/{parent.Id()}/follow-ups", Samples.Commitment(), 201, ifMatch: "\"2\"");
    }

    [Theory]
    [InlineData("POST", "progress")]
    [InlineData("POST", "status")]
    [InlineData("PUT", "due-date")]
    [InlineData("POST", "follow-ups")]
    public async Task writes_to_an_unknown_commitment_are_404_problems(string method, string path)
    {
        var body = path switch
        {
            "progress" => (object)new { note = "n" },
            "status" => new { status = "in_progress", reason = "r" },
            "due-date" => new { dueOn = "2030-01-01", reason = "r" },
            _ => Samples.Commitment(),
        };
        var result = await Host.Scenario(s =>
        {
            var send = method == "PUT" ? s.Put.Json(body) : s.Post.Json(body);
            send.ToUrl($"/api/commitments/{Guid.NewGuid()}/{path}");
            s.StatusCodeShouldBe(404);
            s.ContentTypeShouldBe("application/problem+json");
        });
        result.Json()["detail"].Text().ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task reading_an_unknown_commitment_is_a_404_problem()
    {
        await Host.Scenario(s =>
        {
            s.Get.Url($"/api/commitments/{Guid.NewGuid()}");
            s.StatusCodeShouldBe(404);
            s.ContentTypeShouldBe("application/problem+json");
        });
    }
}

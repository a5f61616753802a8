using Alba;

namespace CommitmentLedger.Tests.Http;

public class RecordCommitmentTests(AppFixture fixture) : LedgerContext(fixture)
{
    [Fact]
    public async Task created_commitment_answers_201_with_location_etag_and_the_full_view()
    {
        var result = await Host.Scenario(s =>
        {
            s.Post.Json(Samples.Commitment(externalRef: "jp-vn/gsdf-dispatch")).ToUrl("/api/commitments");
            s.StatusCodeShouldBe(201);
            s.Header("ETag").SingleValueShouldEqual("\"1\"");
        });
        var view = result.Json();
        result.Context.Response.Headers.Location.ToString().ShouldBe($"/api/commitments/{view.Id()}");

        view["version"]!.GetValue<long>().ShouldBe(1);
        view["status"].Text().ShouldBe("declared");
        view["statusSince"].Text().ShouldBe("2021-11-23");
        view["strength"].Text().ShouldBe("pledged");
        view["parties"].Text().ShouldBe("[\"JP-MOD\"]");
        view["externalRef"].Text().ShouldBe("jp-vn/gsdf-dispatch");
        view["source"]!["quoteLanguage"].Text().ShouldBe("ja");
        string[] keys = ["id", "version", "externalRef", "kind", "strength", "title", "parties", "responsible", "area",
            "madeOn", "dueOn", "status", "statusSince", "overdue", "parentId", "followUps", "source", "lastProgress",
            "recordedAt", "updatedAt", "reviewEvery", "reviewDueSince", "followUpRollup"];
        foreach (var key in keys)
        {
            view.ContainsKey(key).ShouldBeTrue($"the view lacks '{key}'");
        }
        view["dueOn"].ShouldBeNull();
        view["lastProgress"].ShouldBeNull();
    }

    [Fact]
    public async Task japanese_text_round_trips_unchanged()
    {
        var created = await Host.Create(Samples.Commitment());
        var read = await Host.Get($"/api/commitments/{created.Id()}");
        read["title"]!["ja"].Text().ShouldBe("陸上自衛官を中心とした要員のベトナムへの派遣");
        read["source"]!["quote"].Text().ShouldBe("陸上自衛官を中心とした要員のベトナムへの派遣を含む、所要の協力を行う旨表明しました。");
        read["source"]!["title"].Text().ShouldBe("日越防衛相会談(概要)");
    }

    [Fact]
    public async Task the_same_content_under_the_same_external_ref_is_a_repeat_not_a_second_commitment()
    {
        var first = await Host.Create(Samples.Commitment(externalRef: "ref-1"));
        var again = await Host.Write("POST", "/api/commitments", Samples.Commitment(externalRef: "ref-1"), 200);
        again.Id().ShouldBe(first.Id());
        var list = await Host.Get("/api/commitments");
        list["items"]!.AsArray().Count.ShouldBe(1);
    }

    [Fact]
    public async Task different_content_under_a_used_external_ref_is_409_and_writes_nothing()
    {
        var first = await Host.Create(Samples.Commitment(externalRef: "ref-1"));
        var problem = await Host.Write("POST", "/api/commitments", Samples.Commitment(externalRef: "ref-1", area: "cybersecurity"), 409);
        problem["detail"].Text().ShouldContain("ref-1");
        problem["existingId"].Text().ShouldBe(first.Id());
        (await Host.Get("/api/commitments"))["items"]!.AsArray().Count.ShouldBe(1);
    }

    [Fact]
    public async Task a_commitment_with_a_parent_is_listed_among_the_parents_follow_ups()
    {
        var parent = await Host.Create(Samples.Commitment());
        var body = Samples.Commitment();
        body["parentId"] = parent.Id();
        var child = await Host.Create(body);
        child["parentId"].Text().ShouldBe(parent.Id());
        var parentNow = await Host.Get($"/api/commitments/{parent.Id()}");
        parentNow["followUps"]!.AsArray().Select(x => x.Text()).ShouldBe([child.Id()]);
        parentNow["version"]!.GetValue<long>().ShouldBe(2);
    }

    [Fact]
    public async Task an_unknown_parent_is_400_naming_parentId()
    {
        var body = Samples.Commitment();
        body["parentId"] = Guid.NewGuid().ToString();
        var problem = await Host.Write("POST", "/api/commitments", body, 400);
        problem["errors"]!.AsObject().ContainsKey("parentId").ShouldBeTrue();
    }
}

using System.Text.Json.Nodes;
using Alba;

namespace CommitmentLedger.Tests.Http;

public class ImportTests(AppFixture fixture) : LedgerContext(fixture)
{
    [Fact]
    public async Task importing_the_sample_meeting_creates_every_commitment_and_importing_it_again_creates_nothing()
    {
        var file = SampleMeeting();
        var count = file["commitments"]!.AsArray().Count;
        count.ShouldBeGreaterThan(0);

        var first = await Import(file, 200);
        first["created"]!.GetValue<int>().ShouldBe(count);
        first["unchanged"]!.GetValue<int>().ShouldBe(0);

        var second = await Import(SampleMeeting(), 200);
        second["created"]!.GetValue<int>().ShouldBe(0);
        second["unchanged"]!.GetValue<int>().ShouldBe(count);

        (await AllCommitments()).Count.ShouldBe(count);
    }

    [Fact]
    public async Task the_list_shows_imported_commitments_in_the_order_of_the_file()
    {
        var file = SampleMeeting();
        var refs = file["commitments"]!.AsArray().Select(e => e!["ref"].Text()).ToList();
        var key = file["source"]!["key"].Text();

        await Import(file, 200);

        var listed = (await AllCommitments()).Select(c => c!["externalRef"].Text()).ToList();
        listed.ShouldBe(refs.Select(r => $"{key}/{r}").ToList());
    }

    [Fact]
    public async Task an_imported_commitment_carries_its_external_ref_its_japanese_quote_and_its_parent_link_both_ways()
    {
        var file = SampleMeeting();
        var key = file["source"]!["key"].Text();
        var entries = file["commitments"]!.AsArray().Select(e => e!.AsObject()).ToList();
        var child = entries.First(e => e["parentRef"] is not null);
        var parent = entries.Single(e => e["ref"].Text() == child["parentRef"].Text());

        var result = await Import(file, 200);
        var ids = result["commitments"]!.AsArray().ToDictionary(x => x!["ref"].Text(), x => x!["id"].Text());

        var childView = await Host.Get($"/api/commitments/{ids[child["ref"].Text()]}");
        childView["externalRef"].Text().ShouldBe($"{key}/{child["ref"].Text()}");
        childView["source"]!["quote"].Text().ShouldBe(child["quote"].Text());
        childView["source"]!["quote"].Text().ShouldContain("。");
        childView["source"]!["quoteLanguage"].Text().ShouldBe("ja");
        childView["title"]!["ja"].Text().ShouldBe(child["title"]!["ja"].Text());
        childView["parentId"].Text().ShouldBe(ids[parent["ref"].Text()]);

        var parentView = await Host.Get($"/api/commitments/{ids[parent["ref"].Text()]}");
        parentView["externalRef"].Text().ShouldBe($"{key}/{parent["ref"].Text()}");
        parentView["followUps"]!.AsArray().Select(x => x.Text()).ShouldContain(ids[child["ref"].Text()]);
    }

    [Fact]
    public async Task a_file_with_one_bad_entry_is_400_naming_that_entry_and_writes_nothing()
    {
        var file = SampleMeeting();
        file["commitments"]![2]!["kind"] = "promise";

        var problem = await Import(file, 400);

        problem["errors"]!.AsObject().Select(x => x.Key).ShouldBe(["commitments[2].kind"]);
        problem["detail"].Text().ShouldContain("commitments[2].kind");
        (await AllCommitments()).ShouldBeEmpty();
    }

    [Fact]
    public async Task a_changed_commitment_under_an_imported_ref_is_409_naming_the_ref_and_writes_nothing_of_the_file()
    {
        await Import(SampleMeeting(), 200);
        var before = await AllCommitments();

        var changed = SampleMeeting();
        var key = changed["source"]!["key"].Text();
        var entry = changed["commitments"]![5]!;
        var changedRef = entry["ref"].Text();
        var originalTitle = entry["title"]!["en"].Text();
        entry["title"]!["en"] = originalTitle + " (revised)";
        var extra = changed["commitments"]![0]!.DeepClone().AsObject();
        extra["ref"] = "brand-new-extra-entry";
        changed["commitments"]!.AsArray().Add(extra);

        var problem = await Import(changed, 409);

        problem["refs"]!.AsArray().Select(x => x.Text()).ShouldBe([changedRef]);
        problem["detail"].Text().ShouldContain(changedRef);
        var after = await AllCommitments();
        after.Count.ShouldBe(before.Count);
        after.Select(x => x["externalRef"].Text()).ShouldNotContain($"{key}/brand-new-extra-entry");
        after.Single(x => x["externalRef"].Text() == $"{key}/{changedRef}")["title"]!["en"].Text().ShouldBe(originalTitle);
        after.Select(x => x["version"]!.GetValue<long>())
            .ShouldBe(before.Select(x => x["version"]!.GetValue<long>()));
    }

    [Theory]
    [InlineData("a later entry")]
    [InlineData("no entry of the file")]
    public async Task a_parent_ref_that_is_not_an_earlier_entry_is_400_naming_parentRef_and_writes_nothing(string parentIs)
    {
        var file = SampleMeeting();
        var entries = file["commitments"]!.AsArray();
        entries[3]!["parentRef"] = parentIs == "a later entry" ? entries[7]!["ref"].Text() : "no-such-ref";

        var problem = await Import(file, 400);

        problem["errors"]!.AsObject().ContainsKey("commitments[3].parentRef").ShouldBeTrue(problem.Text());
        (await AllCommitments()).ShouldBeEmpty();
    }

    [Fact]
    public async Task a_ref_used_twice_in_the_file_is_400_naming_the_second_entry_and_writes_nothing()
    {
        var file = SampleMeeting();
        var entries = file["commitments"]!.AsArray();
        entries[4]!["ref"] = entries[1]!["ref"].Text();

        var problem = await Import(file, 400);

        problem["errors"]!.AsObject().ContainsKey("commitments[4].ref").ShouldBeTrue(problem.Text());
        (await AllCommitments()).ShouldBeEmpty();
    }

    private async Task<JsonObject> Import(JsonObject file, int expectedStatus)
    {
        var result = await Host.Scenario(s =>
        {
            s.Post.Json(file).ToUrl("/api/imports");
            s.StatusCodeShouldBe(expectedStatus);
        });
        if (expectedStatus >= 400)
        {
            result.Context.Response.ContentType.ShouldNotBeNull().ShouldStartWith("application/problem+json");
        }
        return result.Json();
    }

    private async Task<List<JsonNode>> AllCommitments() =>
        (await Host.Get("/api/commitments?limit=500"))["items"]!.AsArray().Select(x => x!).ToList();

    /// <summary>A fresh copy of the sample import file that deploy/run.sh loads.</summary>
    private static JsonObject SampleMeeting() => Samples.Meeting();
}

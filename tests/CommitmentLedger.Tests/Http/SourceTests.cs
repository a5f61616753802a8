using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Alba;

namespace CommitmentLedger.Tests.Http;

public class SourceTests(AppFixture fixture) : LedgerContext(fixture)
{
    private const string Key = "jp-mod-2021-11-23-jp-vn-defence-ministers";
    private const string Quote = "陸上自衛官を中心とした要員のベトナムへの派遣を含む、所要の協力を行う旨表明しました。";

    private static string SeedText => Samples.Meeting()["source"]!["text"].Text();

    private static JsonObject Source(string? text = null) => new()
    {
        ["key"] = Key, ["title"] = "日越防衛相会談(概要)", ["publisher"] = "防衛省", ["publishedOn"] = "2021-11-23",
        ["url"] = "https://www.mod.go.jp/j/press/youjin/2021/11/23a.html", ["language"] = "ja", ["text"] = text ?? SeedText,
    };

    private static JsonObject Citing(string quote) => new()
    {
        ["kind"] = "action", ["strength"] = "pledged",
        ["title"] = new JsonObject { ["ja"] = "陸上自衛官を中心とした要員のベトナムへの派遣" },
        ["parties"] = new JsonArray("JP-MOD"), ["area"] = "peacekeeping", ["madeOn"] = "2021-11-23",
        ["source"] = new JsonObject { ["key"] = Key, ["section"] = "3. 二国間防衛協力", ["quote"] = quote },
    };

    [Fact]
    public async Task the_sources_are_listed_in_key_order_without_their_text_a_page_at_a_time()
    {
        foreach (var key in new[] { "c-meeting", "a-meeting", "b-meeting" })
        {
            var source = Source();
            source["key"] = key;
            await Host.Write("POST", "/api/sources", source, expectedStatus: 201);
        }

        var first = await Host.Get("/api/sources?limit=2");
        first["items"]!.AsArray().Select(i => i!["key"].Text()).ShouldBe(["a-meeting", "b-meeting"]);
        first["items"]![0]!.AsObject().ContainsKey("text").ShouldBeFalse("a list leaves the full text to GET /api/sources/{key}");
        first["items"]![0]!["publisher"].Text().ShouldBe("防衛省");
        var cursor = first["nextCursor"].Text();

        var second = await Host.Get($"/api/sources?limit=2&cursor={cursor}");
        second["items"]!.AsArray().Select(i => i!["key"].Text()).ShouldBe(["c-meeting"]);
        second["nextCursor"].ShouldBeNull();
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=501", "limit")]
    [InlineData("cursor=Not%20a%20key", "cursor")]
    public async Task a_bad_limit_or_cursor_of_the_source_list_is_a_400_naming_it(string query, string field)
    {
        var result = await Host.Scenario(s =>
        {
            s.Get.Url($"/api/sources?{query}");
            s.StatusCodeShouldBe(400);
        });
        result.Json()["errors"]!.AsObject().ContainsKey(field).ShouldBeTrue(result.ReadAsText());
    }

    [Fact]
    public async Task a_registered_source_keeps_its_full_text_and_sha256_and_registering_it_again_changes_nothing()
    {
        var result = await Host.Scenario(s =>
        {
            s.Post.Json(Source()).ToUrl("/api/sources");
            s.StatusCodeShouldBe(201);
            s.Header("Location").SingleValueShouldEqual($"/api/sources/{Key}");
        });
        var created = result.Json();
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(SeedText)));
        created["sha256"].Text().ShouldBe(sha256);

        var read = await Host.Get($"/api/sources/{Key}");
        read["text"].Text().ShouldBe(SeedText);
        read["language"].Text().ShouldBe("ja");
        read["publisher"].Text().ShouldBe("防衛省");
        read["publishedOn"].Text().ShouldBe("2021-11-23");
        read["sha256"].Text().ShouldBe(sha256);
        read["commitments"]!.AsArray().ShouldBeEmpty();

        var again = await Host.Write("POST", "/api/sources", Source(), 200);
        again["registeredAt"].Text().ShouldBe(created["registeredAt"].Text());
    }

    [Fact]
    public async Task the_same_key_with_a_different_text_is_409_and_the_registered_text_stays()
    {
        await Host.Write("POST", "/api/sources", Source(), 201);

        var problem = await Host.Write("POST", "/api/sources", Source(SeedText.Replace("一致しました", "合意しました")), 409);

        problem["fields"]!.AsArray().Select(f => f.Text()).ShouldBe(["text"]);
        problem["detail"].Text().ShouldContain(Key);
        (await Host.Get($"/api/sources/{Key}"))["text"].Text().ShouldBe(SeedText);
    }

    [Fact]
    public async Task a_commitment_citing_a_registered_source_shows_its_quote_with_character_offsets_and_the_source_lists_it()
    {
        await Host.Write("POST", "/api/sources", Source(), 201);

        var view = await Host.Create(Citing(Quote));

        var source = view["source"]!;
        source["key"].Text().ShouldBe(Key);
        source["quote"].Text().ShouldBe(Quote);
        var start = source["quoteStart"]!.GetValue<int>();
        var end = source["quoteEnd"]!.GetValue<int>();
        SeedText[start..end].ShouldBe(Quote, "the seed text is all in the Basic Multilingual Plane, so code points are chars");
        source["publisher"].Text().ShouldBe("防衛省", "taken from the registered source");
        source["quoteLanguage"].Text().ShouldBe("ja");
        view["originalLanguage"].Text().ShouldBe("ja");

        var recorded = (await Host.Get($"/api/commitments/{view.Id()}/history")).AsArray()[0]!["data"]!["source"]!;
        recorded["quoteStart"]!.GetValue<int>().ShouldBe(start);
        recorded["quoteEnd"]!.GetValue<int>().ShouldBe(end);

        var listed = (await Host.Get($"/api/sources/{Key}"))["commitments"]!.AsArray().ShouldHaveSingleItem()!;
        listed["id"].Text().ShouldBe(view.Id());
        listed["quoteStart"]!.GetValue<int>().ShouldBe(start);
    }

    [Fact]
    public async Task a_quote_that_is_not_in_the_source_text_is_400_and_records_nothing()
    {
        await Host.Write("POST", "/api/sources", Source(), 201);

        var problem = await Host.Write("POST", "/api/commitments", Citing("陸上自衛隊の部隊をベトナムへ派遣することで合意しました。"), 400);

        problem["errors"]!.AsObject().Select(e => e.Key).ShouldBe(["source.quote"]);
        (await Host.Get("/api/commitments"))["items"]!.AsArray().ShouldBeEmpty();
    }

    [Fact]
    public async Task citing_a_source_that_is_not_registered_or_contradicting_it_is_400_naming_the_field()
    {
        (await Host.Write("POST", "/api/commitments", Citing(Quote), 400))["errors"]!.AsObject().Select(e => e.Key).ShouldBe(["source.key"]);

        await Host.Write("POST", "/api/sources", Source(), 201);
        var contradicting = Citing(Quote);
        contradicting["source"]!["publishedOn"] = "2021-11-24";
        (await Host.Write("POST", "/api/commitments", contradicting, 400))["errors"]!.AsObject().Select(e => e.Key).ShouldBe(["source.publishedOn"]);
        (await Host.Get("/api/commitments"))["items"]!.AsArray().ShouldBeEmpty();
    }

    [Fact]
    public async Task the_sample_import_registers_the_seed_press_release_with_its_full_japanese_text_and_binds_every_quote()
    {
        var file = Samples.Meeting();
        var count = file["commitments"]!.AsArray().Count;

        var first = await Import(file, 200);
        first["source"].Text().ShouldBe("created");

        var source = await Host.Get($"/api/sources/{Key}");
        source["text"].Text().ShouldBe(SeedText);
        source["text"].Text().ShouldStartWith("日越防衛相会談(概要)");
        source["sha256"].Text().ShouldBe(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(SeedText))));
        var citing = source["commitments"]!.AsArray();
        citing.Count.ShouldBe(count);
        foreach (var c in citing)
        {
            SeedText[c!["quoteStart"]!.GetValue<int>()..c["quoteEnd"]!.GetValue<int>()].ShouldBe(c["quote"].Text());
        }

        var again = await Import(Samples.Meeting(), 200);
        again["created"]!.GetValue<int>().ShouldBe(0);
        again["source"].Text().ShouldBe("unchanged");
    }

    [Fact]
    public async Task an_import_with_a_quote_not_in_its_source_text_is_400_naming_the_entry_and_writes_nothing()
    {
        var file = Samples.Meeting();
        file["commitments"]![3]!["quote"] = "両大臣は、全てについて一致しました。";

        var problem = await Import(file, 400);

        problem["errors"]!.AsObject().Select(e => e.Key).ShouldBe(["commitments[3].quote"]);
        await Host.Get($"/api/sources/{Key}", 404);
        (await Host.Get("/api/commitments"))["items"]!.AsArray().ShouldBeEmpty();
    }

    [Fact]
    public async Task an_import_whose_source_text_differs_from_the_registered_one_is_409_and_writes_nothing()
    {
        await Host.Write("POST", "/api/sources", Source(SeedText + "\n追記"), 201);

        var problem = await Import(Samples.Meeting(), 409);

        problem["fields"]!.AsArray().Select(f => f.Text()).ShouldContain("text");
        (await Host.Get("/api/commitments"))["items"]!.AsArray().ShouldBeEmpty();
    }

    [Fact]
    public async Task an_unknown_source_is_404()
    {
        await Host.Get("/api/sources/no-such-source", 404);
        await Host.Get("/api/sources/Not%20A%20Key", 404);
    }

    [Fact]
    public async Task translations_add_languages_to_the_title_and_the_quote_with_their_translator_while_the_original_stays_flagged()
    {
        await Host.Write("POST", "/api/sources", Source(), 201);
        var id = (await Host.Create(Citing(Quote))).Id();

        await Host.Write("POST", $"/api/commitments/{id}/translations",
            new { field = "title", language = "vi", text = "Cử nhân viên Lực lượng Phòng vệ Mặt đất sang Việt Nam", translator = "human" });
        var view = await Host.Write("POST", $"/api/commitments/{id}/translations",
            new { field = "quote", language = "en", text = "Kishi expressed that Japan would dispatch GSDF personnel.", translator = "machine" });

        view["originalLanguage"].Text().ShouldBe("ja");
        view["title"]!["ja"].Text().ShouldBe("陸上自衛官を中心とした要員のベトナムへの派遣");
        view["title"]!["vi"].Text().ShouldStartWith("Cử nhân viên");
        view["title"]!["en"].ShouldBeNull("a quote translation does not touch the title");
        view["source"]!["quote"].Text().ShouldBe(Quote, "the original quote stays as written");
        var translations = view["translations"]!.AsArray().ToDictionary(t => $"{t!["field"].Text()}/{t["language"].Text()}");
        translations["title/vi"]!["translator"].Text().ShouldBe("human");
        translations["quote/en"]!["translator"].Text().ShouldBe("machine");
        translations["quote/en"]!["recordedBy"].Text().ShouldBe("test-admin");

        (await Host.Get("/api/commitments?q=" + Uri.EscapeDataString("phòng vệ")))["items"]!.AsArray().ShouldHaveSingleItem();
        (await Host.Get($"/api/commitments/{id}?validAt=2021-11-23"))["title"]!["vi"].ShouldNotBeNull("a translation holds at every date");
        var history = (await Host.Get($"/api/commitments/{id}/history")).AsArray();
        history[1]!["type"].Text().ShouldBe("TranslationAdded");
        history[1]!["changes"]!.AsArray().Select(c => c!["field"].Text()).ShouldContain("title.vi");

        var original = await Host.Write("POST", $"/api/commitments/{id}/translations",
            new { field = "title", language = "ja", text = "別の訳", translator = "human" }, 400);
        original["errors"]!["language"]![0].Text().ShouldContain("original");
        (await Host.Get($"/api/commitments/{id}"))["version"]!.GetValue<long>().ShouldBe(3);
    }

    private async Task<JsonObject> Import(JsonObject file, int expectedStatus)
    {
        var result = await Host.Scenario(s =>
        {
            s.Post.Json(file).ToUrl("/api/imports");
            s.StatusCodeShouldBe(expectedStatus);
        });
        return result.Json();
    }
}

using System.Text;
using System.Text.Json.Nodes;
using Alba;

namespace CommitmentLedger.Tests.Http;

/// <summary>
/// Bad input of every kind gets a clear 4xx as problem+json naming the bad field, and changes nothing.
/// Each case runs against a ledger holding one commitment; <c>{id}</c> in a url is that commitment's id.
/// </summary>
public class BadInputTests(AppFixture fixture) : LedgerContext(fixture)
{
    private const string UnknownId = "0197a3c4-0000-7000-8000-000000000001";

    public static TheoryData<string, string, string, string?, int, string?> BadRequests()
    {
        var data = new TheoryData<string, string, string, string?, int, string?>();
        void Add(string name, string method, string url, string? body, int status, string? field) =>
            data.Add(name, method, url, body, status, field);

        const string create = "/api/commitments";
        Add("create without a title", "POST", create, Create(c => c.Remove("title")), 400, "title");
        Add("create with an empty title map", "POST", create, Create(c => c["title"] = new JsonObject()), 400, "title");
        Add("create with a title whose text is empty", "POST", create,
            Create(c => c["title"] = new JsonObject { ["en"] = "" }), 400, "title.en");
        Add("create with a title whose text is blank", "POST", create,
            Create(c => c["title"] = new JsonObject { ["en"] = "   " }), 400, "title.en");
        Add("create with a title over 500 characters", "POST", create,
            Create(c => c["title"] = new JsonObject { ["en"] = new string('t', 501) }), 400, "title.en");
        Add("create with an unknown kind", "POST", create, Create(c => c["kind"] = "promise"), 400, "kind");
        Add("create with an unknown strength", "POST", create, Create(c => c["strength"] = "binding"), 400, "strength");
        Add("create with an unknown status", "POST", create, Create(c => c["status"] = "done"), 400, "status");
        Add("create with a malformed madeOn", "POST", create, Create(c => c["madeOn"] = "2021-13-01"), 400, "madeOn");
        Add("create with an impossible madeOn", "POST", create, Create(c => c["madeOn"] = "2021-02-30"), 400, "madeOn");
        Add("create with madeOn not written YYYY-MM-DD", "POST", create, Create(c => c["madeOn"] = "23/11/2021"), 400, "madeOn");
        Add("create with a due date before madeOn", "POST", create, Create(c => c["dueOn"] = "2021-11-22"), 400, "dueOn");
        Add("create with no parties", "POST", create, Create(c => c["parties"] = new JsonArray()), 400, "parties");
        Add("create with 21 parties", "POST", create,
            Create(c => c["parties"] = new JsonArray(Enumerable.Range(1, 21).Select(i => (JsonNode)$"P{i}").ToArray())),
            400, "parties");
        Add("create with a lower-case party code", "POST", create,
            Create(c => c["parties"] = new JsonArray("jp-mod")), 400, "parties");
        Add("create with an unknown parentId", "POST", create, Create(c => c["parentId"] = UnknownId), 400, "parentId");
        Add("create with a parentId that is not a GUID", "POST", create, Create(c => c["parentId"] = "parent-1"), 400, "parentId");
        Add("create with a title that is a number", "POST", create, Create(c => c["title"] = 42), 400, "title");
        Add("create with parties that are a string", "POST", create, Create(c => c["parties"] = "JP-MOD"), 400, "parties");
        Add("create with a source url that is not http", "POST", create,
            Create(c => c["source"]!["url"] = "javascript:alert(1)"), 400, "source.url");
        Add("create with a malformed reviewEvery", "POST", create, Create(c => c["reviewEvery"] = "six months"), 400, "reviewEvery");
        Add("create with a reviewEvery in weeks and months mixed up", "POST", create, Create(c => c["reviewEvery"] = "P6X"), 400, "reviewEvery");
        Add("create with a review period under one day", "POST", create, Create(c => c["reviewEvery"] = "PT12H"), 400, "reviewEvery");
        Add("create with a review period of zero days", "POST", create, Create(c => c["reviewEvery"] = "P0D"), 400, "reviewEvery");
        Add("create with a review period of part days", "POST", create, Create(c => c["reviewEvery"] = "P1DT1H"), 400, "reviewEvery");
        const string subscribe = "/api/subscriptions";
        Add("subscription to a URL that is not http", "POST", subscribe,
            Json(new { url = "ftp://127.0.0.1/hook", secret = "sixteen-chars-at-least" }), 400, "url");
        Add("subscription to a host outside the allowed list", "POST", subscribe,
            Json(new { url = "https://example.org/hook", secret = "sixteen-chars-at-least" }), 400, "url");
        Add("subscription without a secret", "POST", subscribe, Json(new { url = "http://127.0.0.1/hook" }), 400, "secret");
        Add("subscription with a malformed party filter", "POST", subscribe,
            Json(new { url = "http://127.0.0.1/hook", secret = "sixteen-chars-at-least", filter = new { party = "vn mnd" } }),
            400, "filter.party");
        Add("subscription with a commitmentId that is not a GUID", "POST", subscribe,
            Json(new { url = "http://127.0.0.1/hook", secret = "sixteen-chars-at-least", filter = new { commitmentId = "x" } }),
            400, "filter.commitmentId");
        Add("create with malformed JSON", "POST", create, """{"kind": "action", "title": {"en": "x"}""", 400, "body");
        Add("create with an empty body", "POST", create, "", 400, "body");
        Add("create with a JSON array as body", "POST", create, "[]", 400, "body");

        const string progress = "/api/commitments/{id}/progress";
        Add("progress with an empty note", "POST", progress, Json(new { note = "" }), 400, "note");
        Add("progress without a note", "POST", progress, Json(new { effectiveOn = "2021-11-24" }), 400, "note");
        Add("progress with a control character in the note", "POST", progress, Json(new { note = "done\u0007" }), 400, "note");
        Add("progress with a note over 4000 characters", "POST", progress, Json(new { note = new string('n', 4001) }), 400, "note");
        Add("progress with a note that is a number", "POST", progress, """{"note": 7}""", 400, "note");
        Add("progress with an impossible effectiveOn", "POST", progress,
            Json(new { note = "ok", effectiveOn = "2021-02-30" }), 400, "effectiveOn");
        Add("progress effective before the commitment was made", "POST", progress,
            Json(new { note = "ok", effectiveOn = "2021-11-01" }), 400, "effectiveOn");
        Add("progress with evidence that is not an http url", "POST", progress,
            Json(new { note = "ok", evidence = new[] { new { title = "minutes", url = "ftp://mod.go.jp/minutes.pdf" } } }),
            400, "evidence[0].url");
        Add("progress with evidence without a title", "POST", progress,
            Json(new { note = "ok", evidence = new[] { new { title = "", url = "https://www.mod.go.jp/" } } }),
            400, "evidence[0].title");
        Add("progress on an id that is not a GUID", "POST", "/api/commitments/not-a-guid/progress", Json(new { note = "ok" }), 404, null);
        Add("progress on an unknown id", "POST", $"/api/commitments/{UnknownId}/progress", Json(new { note = "ok" }), 404, null);

        const string status = "/api/commitments/{id}/status";
        Add("status change to an unknown status", "POST", status, Json(new { status = "finished", reason = "r" }), 400, "status");
        Add("status change with a blank reason", "POST", status, Json(new { status = "in_progress", reason = "  " }), 400, "reason");
        Add("status change without a reason", "POST", status, Json(new { status = "in_progress" }), 400, "reason");
        Add("status change with a malformed effectiveOn", "POST", status,
            Json(new { status = "in_progress", reason = "r", effectiveOn = "2021-13-01" }), 400, "effectiveOn");
        Add("status change with a status that is a number", "POST", status, """{"status": 1, "reason": "r"}""", 400, "status");
        Add("status change on an id that is not a GUID", "POST", "/api/commitments/42/status",
            Json(new { status = "in_progress", reason = "r" }), 404, null);

        const string dueDate = "/api/commitments/{id}/due-date";
        Add("due date before madeOn", "PUT", dueDate, Json(new { dueOn = "2021-11-01", reason = "r" }), 400, "dueOn");
        Add("due date that does not exist", "PUT", dueDate, Json(new { dueOn = "2021-02-30", reason = "r" }), 400, "dueOn");
        Add("due date without a reason", "PUT", dueDate, Json(new { dueOn = "2022-11-23", reason = "" }), 400, "reason");
        Add("due date with a reason over 1000 characters", "PUT", dueDate,
            Json(new { dueOn = "2022-11-23", reason = new string('r', 1001) }), 400, "reason");
        Add("due date on an unknown id", "PUT", $"/api/commitments/{UnknownId}/due-date",
            Json(new { dueOn = "2022-11-23", reason = "r" }), 404, null);

        const string followUps = "/api/commitments/{id}/follow-ups";
        Add("follow-up with an unknown kind", "POST", followUps, Create(c => c["kind"] = "promise"), 400, "kind");
        Add("follow-up with an empty title map", "POST", followUps, Create(c => c["title"] = new JsonObject()), 400, "title");
        Add("follow-up naming a different parentId", "POST", followUps, Create(c => c["parentId"] = UnknownId), 400, "parentId");
        Add("follow-up of an id that is not a GUID", "POST", "/api/commitments/not-a-guid/follow-ups", Create(_ => { }), 404, null);
        Add("follow-up of an unknown id", "POST", $"/api/commitments/{UnknownId}/follow-ups", Create(_ => { }), 404, null);

        const string retractions = "/api/commitments/{id}/retractions";
        Add("retraction of the recording", "POST", retractions, Json(new { version = 1, reason = "wrong" }), 400, "version");
        Add("retraction of an unknown version", "POST", retractions, Json(new { version = 7, reason = "wrong" }), 400, "version");
        Add("retraction of version 0", "POST", retractions, Json(new { version = 0, reason = "wrong" }), 400, "version");
        Add("retraction without a version", "POST", retractions, Json(new { reason = "wrong" }), 400, "version");
        Add("retraction with a version that is text", "POST", retractions, """{"version": "two", "reason": "wrong"}""", 400, "version");
        Add("retraction without a reason", "POST", retractions, Json(new { version = 1 }), 400, "reason");
        Add("retraction on an unknown id", "POST", $"/api/commitments/{UnknownId}/retractions", Json(new { version = 2, reason = "r" }), 404, null);
        Add("retraction with the JSON literal null as body", "POST", retractions, "null", 400, "body");

        const string translations = "/api/commitments/{id}/translations";
        Add("translation of an unknown field", "POST", translations,
            Json(new { field = "area", language = "en", text = "x", translator = "human" }), 400, "field");
        Add("translation with a malformed language tag", "POST", translations,
            Json(new { field = "title", language = "English", text = "x", translator = "human" }), 400, "language");
        Add("translation without a language", "POST", translations, Json(new { field = "title", text = "x", translator = "human" }), 400, "language");
        Add("translation by an unknown kind of translator", "POST", translations,
            Json(new { field = "title", language = "vi", text = "x", translator = "robot" }), 400, "translator");
        Add("translation without a text", "POST", translations, Json(new { field = "title", language = "vi", translator = "human" }), 400, "text");
        Add("translation of a title into a language it was recorded with", "POST", translations,
            Json(new { field = "title", language = "en", text = "x", translator = "human" }), 400, "language");
        Add("translation on an unknown id", "POST", $"/api/commitments/{UnknownId}/translations",
            Json(new { field = "title", language = "vi", text = "x", translator = "human" }), 404, null);

        const string assessments = "/api/commitments/{id}/assessments";
        object Assessed(string completion = "limited", string? period = "2022-01-01/2022-06-30", string? assessor = "IRM") =>
            new { completion, assessor, method = "desk review", period, note = "n" };
        Add("assessment on an unknown scale", "POST", assessments, Json(Assessed(completion: "partial")), 400, "completion");
        Add("assessment without a period", "POST", assessments, Json(Assessed(period: null)), 400, "period");
        Add("assessment of a period that is one date", "POST", assessments, Json(Assessed(period: "2022-01-01")), 400, "period");
        Add("assessment of a period that ends before it starts", "POST", assessments,
            Json(Assessed(period: "2022-06-30/2022-01-01")), 400, "period");
        Add("assessment of a period that ends in the future", "POST", assessments,
            Json(Assessed(period: "2022-01-01/2999-12-31")), 400, "period");
        Add("assessment of a period over before the commitment was made", "POST", assessments,
            Json(Assessed(period: "2021-01-01/2021-06-30")), 400, "period");
        Add("assessment without an assessor", "POST", assessments, Json(Assessed(assessor: " ")), 400, "assessor");
        Add("assessment on an unknown id", "POST", $"/api/commitments/{UnknownId}/assessments", Json(Assessed()), 404, null);

        const string sources = "/api/sources";
        Add("source without a text", "POST", sources,
            Json(new { key = "k", publisher = "p", publishedOn = "2021-11-23", language = "ja" }), 400, "text");
        Add("source with a key that is not lower-case", "POST", sources,
            Json(new { key = "Press Release", publisher = "p", publishedOn = "2021-11-23", language = "ja", text = "t" }), 400, "key");
        Add("source with a malformed language tag", "POST", sources,
            Json(new { key = "k", publisher = "p", publishedOn = "2021-11-23", language = "Japanese", text = "t" }), 400, "language");
        Add("source with an impossible date", "POST", sources,
            Json(new { key = "k", publisher = "p", publishedOn = "2021-02-30", language = "ja", text = "t" }), 400, "publishedOn");
        Add("source with a NUL in its text", "POST", sources,
            Json(new { key = "k", publisher = "p", publishedOn = "2021-11-23", language = "ja", text = "a\u0000b" }), 400, "text");
        Add("source with the JSON literal null as body", "POST", sources, "null", 400, "body");
        Add("create citing a source that is not registered", "POST", create,
            Create(c => c["source"]!["key"] = "no-such-source"), 400, "source.key");
        Add("create citing a source by a malformed key", "POST", create,
            Create(c => c["source"]!["key"] = "No Such Source"), 400, "source.key");

        Add("create with the JSON literal null as body", "POST", create, "null", 400, "body");
        Add("progress with the JSON literal null as body", "POST", progress, "null", 400, "body");
        Add("status change with the JSON literal null as body", "POST", status, "null", 400, "body");
        Add("due date with the JSON literal null as body", "PUT", dueDate, "null", 400, "body");
        Add("follow-up with the JSON literal null as body", "POST", followUps, "null", 400, "body");
        Add("import with the JSON literal null as body", "POST", "/api/imports", "null", 400, "source");

        Add("list searching for a NUL character", "GET", "/api/commitments?q=%00", null, 400, "q");
        Add("list filtered on an area holding a NUL character", "GET", "/api/commitments?area=a%00b", null, 400, "area");
        Add("list filtered on a blank party", "GET", "/api/commitments?party=%20", null, 400, "party");

        Add("list with limit=0", "GET", "/api/commitments?limit=0", null, 400, "limit");
        Add("list with limit=501", "GET", "/api/commitments?limit=501", null, 400, "limit");
        Add("list with limit=ten", "GET", "/api/commitments?limit=ten", null, 400, "limit");
        Add("reviews due with limit=0", "GET", "/api/reviews/due?limit=0", null, 400, "limit");
        Add("reviews due with limit=ten", "GET", "/api/reviews/due?limit=ten", null, 400, "limit");
        Add("list with a cursor the service never gave out", "GET", "/api/commitments?cursor=not-a-cursor!", null, 400, "cursor");
        Add("list filtered on an unknown status", "GET", "/api/commitments?status=done", null, 400, "status");
        Add("list filtered on an unknown kind", "GET", "/api/commitments?kind=promise", null, 400, "kind");
        Add("list filtered on overdue=maybe", "GET", "/api/commitments?overdue=maybe", null, 400, "overdue");
        Add("list filtered on a parentId that is not a GUID", "GET", "/api/commitments?parentId=abc", null, 400, "parentId");
        Add("list with a search text over 200 characters", "GET", $"/api/commitments?q={new string('q', 201)}", null, 400, "q");

        Add("read as of a garbage timestamp", "GET", "/api/commitments/{id}?asOf=garbage", null, 400, "asOf");
        Add("read as of a date without a time", "GET", "/api/commitments/{id}?asOf=2021-11-23", null, 400, "asOf");
        Add("read as of a moment in the future", "GET", "/api/commitments/{id}?asOf=2999-01-01T00:00:00Z", null, 400, "asOf");
        Add("read valid at a malformed date", "GET", "/api/commitments/{id}?validAt=2022-13-01", null, 400, "validAt");
        Add("read valid at a timestamp instead of a date", "GET", "/api/commitments/{id}?validAt=2022-03-01T00:00:00Z", null, 400, "validAt");
        Add("read valid at a date in the future", "GET", "/api/commitments/{id}?validAt=2999-01-01", null, 400, "validAt");
        Add("list as of a garbage timestamp", "GET", "/api/commitments?asOf=yesterday", null, 400, "asOf");
        Add("list as of a moment in the future", "GET", "/api/commitments?asOf=2999-01-01T00:00:00Z", null, 400, "asOf");
        Add("list valid at a malformed date", "GET", "/api/commitments?validAt=01/03/2022", null, 400, "validAt");
        Add("list valid at a date in the future", "GET", "/api/commitments?validAt=2999-01-01", null, 400, "validAt");
        Add("history in an unknown format", "GET", "/api/commitments/{id}/history?format=xml", null, 400, "format");
        Add("audit export from a garbage timestamp", "GET", "/api/audit?from=last-week", null, 400, "from");
        Add("audit export to a date without a time", "GET", "/api/audit?to=2022-01-01", null, 400, "to");
        Add("audit export with to before from", "GET", "/api/audit?from=2022-01-02T00:00:00Z&to=2022-01-01T00:00:00Z", null, 400, "to");
        Add("read an id that is not a GUID", "GET", "/api/commitments/not-a-guid", null, 404, null);
        Add("read an unknown id", "GET", $"/api/commitments/{UnknownId}", null, 404, null);
        Add("history of an id that is not a GUID", "GET", "/api/commitments/not-a-guid/history", null, 404, null);
        return data;
    }

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task bad_request_gets_a_problem_naming_what_is_wrong_and_changes_nothing(
        string name, string method, string url, string? body, int expectedStatus, string? expectedField)
    {
        var existing = await Host.Create(Samples.Commitment());

        var result = await Send(method, url.Replace("{id}", existing.Id()), body);

        var text = await result.ReadAsTextAsync();
        var because = $"{name}: {method} {url} answered {result.Context.Response.StatusCode} {text}";
        result.Context.Response.StatusCode.ShouldBe(expectedStatus, because);
        result.Context.Response.ContentType.ShouldNotBeNull(because).ShouldStartWith("application/problem+json", customMessage: because);
        var problem = JsonNode.Parse(text)!.AsObject();
        var detail = problem["detail"]?.GetValue<string>();
        detail.ShouldNotBeNullOrWhiteSpace(because);
        if (expectedStatus == 400)
        {
            var errors = problem["errors"].ShouldBeOfType<JsonObject>(because);
            errors.Count.ShouldBeGreaterThan(0, because);
            if (expectedField is not null)
            {
                errors.Select(e => e.Key).ShouldContain(expectedField, because);
            }
        }

        await LedgerShouldHoldOnly(existing);
    }

    [Fact]
    public async Task a_body_over_64_KiB_is_413_and_writes_nothing()
    {
        var existing = await Host.Create(Samples.Commitment());
        var body = Samples.Commitment();
        body["title"] = new JsonObject { ["en"] = new string('x', 70 * 1024) };
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());

        var result = await Host.Scenario(s =>
        {
            s.Post.Url("/api/commitments");
            s.ByteArray(bytes);
            s.WithRequestHeader("Content-Type", "application/json");
            s.WithRequestHeader("Content-Length", bytes.Length.ToString());
            s.StatusCodeShouldBe(413);
        });

        result.Context.Response.ContentType.ShouldNotBeNull().ShouldStartWith("application/problem+json");
        result.Json()["detail"].Text().ShouldContain("64 KiB");
        await LedgerShouldHoldOnly(existing);
    }

    [Fact]
    public async Task a_progress_report_over_64_KiB_is_413_and_appends_nothing()
    {
        var existing = await Host.Create(Samples.Commitment());
        var bytes = Encoding.UTF8.GetBytes(Json(new { note = new string('n', 70 * 1024) }));

        var result = await Host.Scenario(s =>
        {
            s.Post.Url($"/api/commitments/{existing.Id()}/progress");
            s.ByteArray(bytes);
            s.WithRequestHeader("Content-Type", "application/json");
            s.WithRequestHeader("Content-Length", bytes.Length.ToString());
            s.StatusCodeShouldBe(413);
        });

        result.Context.Response.ContentType.ShouldNotBeNull().ShouldStartWith("application/problem+json");
        await LedgerShouldHoldOnly(existing);
    }

    [Fact]
    public async Task unknown_fields_in_a_body_are_ignored()
    {
        var body = Samples.Commitment();
        body["foo"] = "bar";
        body["source"]!["bar"] = new JsonArray(1, 2);

        var created = await Host.Create(body);

        created.ContainsKey("foo").ShouldBeFalse();
        var read = await Host.Get($"/api/commitments/{created.Id()}");
        read["title"]!["en"].Text().ShouldBe(Samples.Commitment()["title"]!["en"].Text());
    }

    private async Task<IScenarioResult> Send(string method, string url, string? body) =>
        await Host.Scenario(s =>
        {
            switch (method)
            {
                case "GET":
                    s.Get.Url(url);
                    break;
                case "PUT":
                    s.Put.Url(url);
                    break;
                default:
                    s.Post.Url(url);
                    break;
            }
            if (body is not null)
            {
                s.ByteArray(Encoding.UTF8.GetBytes(body));
                s.WithRequestHeader("Content-Type", "application/json");
            }
            s.IgnoreStatusCode();
        });

    /// <summary>The ledger still holds just the commitment of the test's setup, untouched at version 1.</summary>
    private async Task LedgerShouldHoldOnly(JsonObject existing)
    {
        var now = await Host.Get($"/api/commitments/{existing.Id()}");
        now["version"]!.GetValue<long>().ShouldBe(1);
        now["followUps"]!.AsArray().ShouldBeEmpty();
        var list = await Host.Get("/api/commitments?limit=500");
        list["items"]!.AsArray().Select(x => x!["id"].Text()).ShouldBe([existing.Id()]);
    }

    private static string Create(Action<JsonObject> change)
    {
        var body = Samples.Commitment();
        change(body);
        return body.ToJsonString();
    }

    private static string Json(object body) => System.Text.Json.JsonSerializer.Serialize(body);
}

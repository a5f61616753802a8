using System.Text;
using System.Text.Json.Nodes;
using Alba;
using CommitmentLedger.Audit;

namespace CommitmentLedger.Tests.Http;

public class ExportTests(AppFixture fixture) : LedgerContext(fixture)
{
    [Fact]
    public async Task the_history_as_csv_has_a_header_and_one_row_per_entry_with_awkward_text_intact()
    {
        var id = (await Host.Create(Samples.Commitment())).Id();
        const string note = "Team arrived, said \"ready\"\nsecond line: 準備完了";
        await Host.Write("POST", $"/api/commitments/{id}/progress", new { note, effectiveOn = "2022-01-20" });
        await Host.Write("POST", $"/api/commitments/{id}/status", new { status = "in_progress", reason = "Began" });

        var result = await Host.Scenario(s =>
        {
            s.Get.Url($"/api/commitments/{id}/history?format=csv");
            s.StatusCodeShouldBe(200);
        });

        result.Context.Response.ContentType.ShouldNotBeNull().ShouldStartWith("text/csv");
        var rows = ParseCsv(await result.ReadAsTextAsync());
        rows.Count.ShouldBe(4);
        var header = rows[0];
        header.ShouldContain("changes");
        string Cell(int row, string column) => rows[row][Array.IndexOf(header, column)];

        rows.Skip(1).Select(r => r[Array.IndexOf(header, "type")]).ShouldBe(["CommitmentRecorded", "ProgressReported", "StatusChanged"]);
        Cell(1, "effectiveOn").ShouldBe("2021-11-23");
        Cell(1, "data").ShouldContain("陸上自衛官");
        JsonNode.Parse(Cell(2, "data"))!["note"].Text().ShouldBe(note);
        Cell(2, "recordedBy").ShouldBe("test-admin");
        Cell(3, "changes").ShouldContain("status: \"declared\" → \"in_progress\"");
    }

    [Fact]
    public async Task the_audit_export_streams_every_entry_in_sequence_order_across_more_than_one_page()
    {
        await Import("bulk-a", 300);
        await Import("bulk-b", 300);
        var id = (await Host.Create(Samples.Commitment())).Id();
        await Host.Write("POST", $"/api/commitments/{id}/progress", new { note = "last one" });
        const int entries = 300 + 300 + 2;
        entries.ShouldBeGreaterThan(AuditLog.PageSize);

        var result = await Host.Scenario(s =>
        {
            s.Get.Url("/api/audit");
            s.StatusCodeShouldBe(200);
        });

        result.Context.Response.ContentType.ShouldNotBeNull().ShouldStartWith("application/x-ndjson");
        var lines = Lines(await result.ReadAsTextAsync());
        lines.Count.ShouldBe(entries);
        var sequences = lines.Select(l => l["sequence"]!.GetValue<long>()).ToList();
        sequences.ShouldBe(sequences.Order().Distinct().ToList(), "in sequence order, none twice");
        lines[0]["type"].Text().ShouldBe("CommitmentRecorded");
        lines[^1]["commitmentId"].Text().ShouldBe(id);
        lines[^1]["type"].Text().ShouldBe("ProgressReported");
        lines[^1]["data"]!["note"].Text().ShouldBe("last one");
        lines[^1]["version"]!.GetValue<long>().ShouldBe(2);
        lines[^1]["recordedBy"].Text().ShouldBe("test-admin");
    }

    [Fact]
    public async Task the_audit_export_holds_only_entries_recorded_in_the_window()
    {
        var before = (await Host.Create(Samples.Commitment())).Id();
        var moment = Moment(await Host.Get($"/api/commitments/{before}/history"));
        await Task.Delay(5);
        var after = (await Host.Create(Samples.Commitment())).Id();
        await Host.Write("POST", $"/api/commitments/{after}/progress", new { note = "n" });

        var from = Lines(await Text($"/api/audit?from={Uri.EscapeDataString(moment)}"));
        from.Select(l => l["commitmentId"].Text()).ShouldBe([after, after]);

        var to = Lines(await Text($"/api/audit?to={Uri.EscapeDataString(moment)}"));
        to.Select(l => l["commitmentId"].Text()).ShouldBe([before]);
    }

    [Fact]
    public async Task export_audit_writes_the_same_lines_to_a_file_and_reports_its_progress()
    {
        await Import("bulk-c", 300);
        await Import("bulk-d", 300);
        var id = (await Host.Create(Samples.Commitment())).Id();
        var to = Moment(await Host.Get($"/api/commitments/{id}/history"));
        var overHttp = await Text($"/api/audit?to={Uri.EscapeDataString(to)}");

        var path = Path.Combine(Path.GetTempPath(), $"audit-{Guid.NewGuid()}.jsonl");
        var reports = new List<(long Written, long Total)>();
        try
        {
            var written = await AuditFile.WriteAsync(Store, path, new AuditWindow(null, DateTimeOffset.Parse(to)),
                new SynchronousProgress(reports.Add), CancellationToken.None);

            written.ShouldBe(601);
            (await File.ReadAllTextAsync(path)).ShouldBe(overHttp);
        }
        finally
        {
            File.Delete(path);
        }
        reports[0].ShouldBe((0L, 601L));
        reports.Count.ShouldBeGreaterThan(2, "a report after each page");
        reports[^1].ShouldBe((601L, 601L));
    }

    private sealed class SynchronousProgress(Action<(long, long)> report) : IProgress<(long Written, long Total)>
    {
        public void Report((long Written, long Total) value) => report(value);
    }

    private async Task Import(string key, int count)
    {
        var entries = new JsonArray();
        for (var i = 0; i < count; i++)
        {
            entries.Add(new JsonObject
            {
                ["ref"] = $"c{i}", ["kind"] = "action", ["strength"] = "stated", ["title"] = new JsonObject { ["en"] = $"c{i}" },
                ["parties"] = new JsonArray("JP-MOD"), ["area"] = "bulk", ["madeOn"] = "2021-11-23",
            });
        }
        var file = new JsonObject { ["source"] = new JsonObject { ["key"] = key, ["language"] = "en" }, ["commitments"] = entries };
        await Host.Scenario(s =>
        {
            s.Post.Json(file).ToUrl("/api/imports");
            s.StatusCodeShouldBe(200);
        });
    }

    private async Task<string> Text(string url)
    {
        var result = await Host.Scenario(s =>
        {
            s.Get.Url(url);
            s.StatusCodeShouldBe(200);
        });
        return await result.ReadAsTextAsync();
    }

    private static List<JsonObject> Lines(string ndjson) =>
        ndjson.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();

    /// <summary>A moment just after the latest entry of a history was recorded.</summary>
    private static string Moment(JsonNode history) =>
        DateTimeOffset.Parse(history.AsArray()[^1]!["recordedAt"].Text()).AddTicks(10).ToString("O");

    /// <summary>RFC 4180, as a spreadsheet reads it.</summary>
    private static List<string[]> ParseCsv(string text)
    {
        var rows = new List<string[]>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { row.Add(field.ToString()); field.Clear(); }
            else if (c == '\r') { }
            else if (c == '\n') { row.Add(field.ToString()); field.Clear(); rows.Add(row.ToArray()); row.Clear(); }
            else field.Append(c);
        }
        return rows;
    }
}

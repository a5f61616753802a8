using CommitmentLedger.Commitments;
using CommitmentLedger.Tests.Http;
using Marten;
using Npgsql;

namespace CommitmentLedger.Tests.Commitments;

public class RebuildTests(AppFixture fixture) : LedgerContext(fixture)
{
    private sealed record Row(Guid Id, string Data, long Version, string DotnetType);

    /// <summary>
    /// Commitments touched by every kind of entry the view reflects, a retraction among them. Due dates lie far
    /// ahead, so no deadline or default review check appends anything in the background mid-test.
    /// </summary>
    private async Task<string[]> LedgerWithVariety()
    {
        var plain = (await Host.Create(Samples.Commitment(externalRef: "rebuild/plain", dueOn: "2099-12-31"))).Id();
        var busy = (await Host.Create(Samples.Commitment(externalRef: "rebuild/busy", dueOn: "2099-06-30"))).Id();
        await Host.Write("POST", $"/api/commitments/{busy}/status", new { status = "in_progress", reason = "Began", effectiveOn = "2022-01-10" });
        await Host.Write("POST", $"/api/commitments/{busy}/progress", new { note = "Team in Hanoi", effectiveOn = "2022-02-10" });
        await Host.Write("POST", $"/api/commitments/{busy}/progress", new { note = "Reported late about January", effectiveOn = "2022-01-20" });
        await Host.Write("PUT", $"/api/commitments/{busy}/due-date", new { dueOn = "2099-12-31", reason = "Moved" });
        await Host.Write("POST", $"/api/commitments/{busy}/translations",
            new { field = "title", language = "vi", text = "Cử nhân viên", translator = "human" });
        await Host.Write("POST", $"/api/commitments/{busy}/translations",
            new { field = "quote", language = "en", text = "Cooperation including a dispatch", translator = "machine" });
        await Host.Write("POST", $"/api/commitments/{busy}/assessments",
            new { completion = "limited", assessor = "IRM", method = "desk review", period = "2022-01-01/2022-06-30", note = "Slow" });
        await Host.Write("POST", $"/api/commitments/{busy}/assessments",
            new { completion = "not_started", assessor = "Diet office", method = "hearing", period = "2022-01-01/2022-03-31", note = "None" });
        var child = (await Host.Write("POST", $"/api/commitments/{busy}/follow-ups", Samples.Commitment(externalRef: "rebuild/child", dueOn: "2099-12-31"), 201)).Id();
        await Host.Write("POST", $"/api/commitments/{child}/status", new { status = "cancelled", reason = "Dropped", effectiveOn = "2022-05-01" });

        var retracted = (await Host.Create(Samples.Commitment(externalRef: "rebuild/retracted", dueOn: "2099-12-31"))).Id();
        await Host.Write("POST", $"/api/commitments/{retracted}/status", new { status = "in_progress", reason = "Began", effectiveOn = "2022-02-01" });
        await Host.Write("POST", $"/api/commitments/{retracted}/progress", new { note = "Visit planned", effectiveOn = "2022-02-10" });
        await Host.Write("POST", $"/api/commitments/{retracted}/retractions", new { version = 2, reason = "Only planned" });
        await Host.Write("POST", $"/api/commitments/{retracted}/progress", new { note = "Visit took place", effectiveOn = "2022-03-10" });
        return [plain, busy, child, retracted];
    }

    private async Task<List<Row>> Rows()
    {
        await using var connection = Store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select id, data::text, mt_version, mt_dotnet_type from ledger.mt_doc_commitment order by id", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<Row>();
        while (await reader.ReadAsync())
        {
            rows.Add(new Row(reader.GetGuid(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3)));
        }
        return rows;
    }

    private async Task Sql(string sql)
    {
        await using var connection = Store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task rebuild_writes_every_view_exactly_as_the_inline_projection_did_and_the_api_works_on_it()
    {
        var ids = await LedgerWithVariety();
        var inline = await Rows();
        inline.Count.ShouldBe(4);
        await Sql($"delete from ledger.mt_doc_commitment where id = '{ids[0]}'");
        await Sql($"update ledger.mt_doc_commitment set data = jsonb_set(data, '{{status}}', '\"cancelled\"'), mt_version = 1 where id = '{ids[1]}'");
        await Sql($"update ledger.mt_doc_commitment set data = data - 'lastProgress', mt_dotnet_type = 'Wrong' where id = '{ids[3]}'");
        await Sql($"insert into ledger.mt_doc_commitment (id, data, mt_version, mt_dotnet_type) values ('{Guid.NewGuid()}', '{{}}', 1, 'Stray')");
        (await Rows()).ShouldNotBe(inline);

        var result = await CommitmentViewRebuild.RunAsync(Store, null, CancellationToken.None);

        var rebuilt = await Rows();
        rebuilt.ShouldBe(inline);
        result.Views.ShouldBe(4);
        result.Events.ShouldBe(18);
        result.Written.ShouldBe(3, "the deleted row and the two corrupted ones");
        result.Removed.ShouldBe(3, "the two corrupted rows and the stray one");
        var again = await CommitmentViewRebuild.RunAsync(Store, null, CancellationToken.None);
        (again.Written, again.Removed).ShouldBe((0L, 0L), "every view is right now: nothing to write");
        (await Rows()).ShouldBe(inline);

        var busy = await Host.Get($"/api/commitments/{ids[1]}");
        busy["status"].Text().ShouldBe("in_progress");
        var version = busy["version"]!.GetValue<long>();
        var after = await Host.Write("POST", $"/api/commitments/{ids[1]}/progress", new { note = "After the rebuild" }, 200, ifMatch: $"\"{version}\"");
        after["version"]!.GetValue<long>().ShouldBe(version + 1);
        await Host.Write("POST", $"/api/commitments/{ids[1]}/progress", new { note = "Stale" }, 412, ifMatch: $"\"{version}\"");
        (await Host.Get($"/api/commitments/{ids[3]}"))["lastProgress"]!["note"].Text().ShouldBe("Visit took place");
    }

    [Fact]
    public async Task an_append_waiting_on_the_rebuild_lands_after_it_and_readers_see_the_old_rows_meanwhile()
    {
        var ids = await LedgerWithVariety();
        var inline = await Rows();
        Task<System.Text.Json.Nodes.JsonObject>? append = null;
        long? rowsSeenBeforeCommit = null;

        var progress = new Inline(value =>
        {
            if (append is null)
            {
                // The rebuild holds its lock: this append writes its events, then waits on the view's upsert.
                append = Task.Run(() => Host.Write("POST", $"/api/commitments/{ids[0]}/progress", new { note = "During the rebuild" }));
                WaitUntilABackendWaitsOnALock().GetAwaiter().GetResult();
            }
            else if (value.Views == value.Streams)
            {
                // Every view copied, nothing committed: another connection still reads every old row, unblocked.
                rowsSeenBeforeCommit = CountRows().GetAwaiter().GetResult();
            }
        });
        var result = await CommitmentViewRebuild.RunAsync(Store, progress, CancellationToken.None);
        var view = await append!;

        result.Views.ShouldBe(4);
        rowsSeenBeforeCommit.ShouldBe(4);
        view["version"]!.GetValue<long>().ShouldBe(2);
        var stored = await Host.Get($"/api/commitments/{ids[0]}");
        stored["version"]!.GetValue<long>().ShouldBe(2);
        stored["lastProgress"]!["note"].Text().ShouldBe("During the rebuild");
        // And what it wrote is what a rebuild now computes from the events.
        var afterAppend = await Rows();
        await CommitmentViewRebuild.RunAsync(Store, null, CancellationToken.None);
        (await Rows()).ShouldBe(afterAppend);
        afterAppend.Where(r => r.Id != Guid.Parse(ids[0])).ShouldBe(inline.Where(r => r.Id != Guid.Parse(ids[0])));
    }

    private async Task<long> CountRows()
    {
        await using var connection = Store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select count(*) from ledger.mt_doc_commitment", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task WaitUntilABackendWaitsOnALock()
    {
        await using var connection = Store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select count(*) from pg_locks where not granted and relation = 'ledger.mt_doc_commitment'::regclass", connection);
        for (var tries = 0; tries < 200; tries++)
        {
            if ((long)(await command.ExecuteScalarAsync())! > 0) return;
            await Task.Delay(25);
        }
        throw new TimeoutException("the append never waited on the rebuild's lock");
    }

    /// <summary>Reports on the rebuild's own thread (Progress&lt;T&gt; would post them elsewhere).</summary>
    private sealed class Inline(Action<RebuildProgress> report) : IProgress<RebuildProgress>
    {
        public void Report(RebuildProgress value) => report(value);
    }
}

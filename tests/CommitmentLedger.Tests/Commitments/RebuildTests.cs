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

    private Task<List<Row>> Rows() => Read(
        "select id, data::text, mt_version, mt_dotnet_type from ledger.mt_doc_commitment order by id",
        r => new Row(r.GetGuid(0), r.GetString(1), r.GetInt64(2), r.GetString(3)));

    private async Task Sql(string sql)
    {
        await using var connection = Store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<List<T>> Read<T>(string sql, Func<NpgsqlDataReader, T> row)
    {
        await using var connection = Store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync()) rows.Add(row(reader));
        return rows;
    }

    private async Task<T> Scalar<T>(string sql) => (await Read(sql, r => r.GetFieldValue<T>(0))).Single();

    [Fact]
    public async Task rebuild_writes_every_view_exactly_as_the_inline_projection_did_and_the_api_works_on_it()
    {
        var ids = await LedgerWithVariety();
        var inline = await Rows();
        inline.Count.ShouldBe(4);
        var indexes = await TableDefinition();
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
        result.TableReplaced.ShouldBeTrue("four rows to change among five is past the share for replacing the table");
        (await TableDefinition()).ShouldBe(indexes, "the new table has the old one's columns, indexes and primary key, by name");
        await Store.Storage.Database.AssertDatabaseMatchesConfigurationAsync();
        var again = await CommitmentViewRebuild.RunAsync(Store, null, CancellationToken.None);
        (again.Written, again.Removed, again.TableReplaced).ShouldBe((0L, 0L, false), "every view is right now: nothing to write");
        (await Rows()).ShouldBe(inline);
        (await Host.Get("/api/commitments?status=cancelled"))["items"]!.AsArray().Select(x => x!["id"].Text()).ShouldBe([ids[2]]);

        var busy = await Host.Get($"/api/commitments/{ids[1]}");
        busy["status"].Text().ShouldBe("in_progress");
        var version = busy["version"]!.GetValue<long>();
        var after = await Host.Write("POST", $"/api/commitments/{ids[1]}/progress", new { note = "After the rebuild" }, 200, ifMatch: $"\"{version}\"");
        after["version"]!.GetValue<long>().ShouldBe(version + 1);
        await Host.Write("POST", $"/api/commitments/{ids[1]}/progress", new { note = "Stale" }, 412, ifMatch: $"\"{version}\"");
        (await Host.Get($"/api/commitments/{ids[3]}"))["lastProgress"]!["note"].Text().ShouldBe("Visit took place");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task an_append_waiting_on_the_rebuild_lands_after_it_and_readers_see_the_old_rows_meanwhile(bool everyViewWrong)
    {
        var ids = await LedgerWithVariety();
        var inline = await Rows();
        if (everyViewWrong)
        {
            // Every row differs from its rebuilt view: the rebuild replaces the whole table under the waiting append.
            await Sql("update ledger.mt_doc_commitment set mt_version = 0");
        }
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
        result.TableReplaced.ShouldBe(everyViewWrong);
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

    [Fact]
    public async Task a_few_differing_views_are_replaced_in_place_and_the_other_rows_are_left_untouched()
    {
        var ids = await LedgerWithVariety();
        for (var i = 0; i < 8; i++) await Host.Create(Samples.Commitment(externalRef: $"rebuild/more-{i}", dueOn: "2099-12-31"));
        var inline = await Rows();
        var written = await LastModified();
        var table = await TableOid();
        await Sql($"update ledger.mt_doc_commitment set data = jsonb_set(data, '{{status}}', '\"cancelled\"') where id = '{ids[1]}'");

        var result = await CommitmentViewRebuild.RunAsync(Store, null, CancellationToken.None);

        (await Rows()).ShouldBe(inline);
        (result.Written, result.Removed, result.TableReplaced).ShouldBe((1L, 1L, false), "one row of twelve differed");
        (await TableOid()).ShouldBe(table);
        var after = await LastModified();
        after.Where(x => x.Key != Guid.Parse(ids[1])).ShouldBe(written.Where(x => x.Key != Guid.Parse(ids[1])),
            "a view that was right keeps its row and its mt_last_modified");
        after[Guid.Parse(ids[1])].ShouldBeGreaterThan(written[Guid.Parse(ids[1])]);
    }

    [Fact]
    public async Task a_table_something_else_depends_on_is_never_replaced_only_its_rows()
    {
        var ids = await LedgerWithVariety();
        var inline = await Rows();
        await Sql("create view ledger.commitment_titles as select id, data -> 'title' as title from ledger.mt_doc_commitment");
        try
        {
            await Sql("truncate ledger.mt_doc_commitment");

            var result = await CommitmentViewRebuild.RunAsync(Store, null, CancellationToken.None);

            (result.Written, result.Removed, result.TableReplaced).ShouldBe((4L, 0L, false), "a view depends on the table");
            (await Rows()).ShouldBe(inline);
            (await Scalar<long>("select count(*) from ledger.commitment_titles")).ShouldBe(ids.Length);
        }
        finally
        {
            await Sql("drop view if exists ledger.commitment_titles");
        }
    }

    [Fact]
    public async Task a_rebuild_stopped_while_building_the_new_table_leaves_the_table_as_it_was_and_no_staging_table()
    {
        await LedgerWithVariety();
        var inline = await Rows();
        await Sql("update ledger.mt_doc_commitment set mt_version = 0");
        var wrong = await Rows();
        using var stop = new CancellationTokenSource();
        var progress = new Inline(value =>
        {
            if (value.Step?.StartsWith("building", StringComparison.Ordinal) == true) stop.Cancel();
        });

        await Should.ThrowAsync<OperationCanceledException>(() => CommitmentViewRebuild.RunAsync(Store, progress, stop.Token));

        (await Rows()).ShouldBe(wrong, "nothing of the stopped rebuild was kept");
        (await Scalar<bool>("select to_regclass('ledger.mt_doc_commitment_rebuilding') is null")).ShouldBeTrue("the staging table was dropped");
        var again = await CommitmentViewRebuild.RunAsync(Store, null, CancellationToken.None);
        again.TableReplaced.ShouldBeTrue();
        (await Rows()).ShouldBe(inline);
    }

    [Fact]
    public async Task a_replaced_table_keeps_being_unlogged_when_it_was()
    {
        await LedgerWithVariety();
        var inline = await Rows();
        await Sql("alter table ledger.mt_doc_commitment set unlogged");
        try
        {
            var definition = await TableDefinition();
            await Sql("truncate ledger.mt_doc_commitment");

            var result = await CommitmentViewRebuild.RunAsync(Store, null, CancellationToken.None);

            result.TableReplaced.ShouldBeTrue();
            (await Rows()).ShouldBe(inline);
            (await TableDefinition()).ShouldBe(definition);
        }
        finally
        {
            await Sql("alter table ledger.mt_doc_commitment set logged");
        }
    }

    /// <summary>Columns, indexes by name and definition, constraints, and being logged: what a replaced table must keep.</summary>
    private Task<List<string>> TableDefinition() => Read("""
            select a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
              from pg_attribute a left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
             where a.attrelid = 'ledger.mt_doc_commitment'::regclass and a.attnum > 0 and not a.attisdropped
            union all select indexname || ': ' || indexdef from pg_indexes where schemaname = 'ledger' and tablename = 'mt_doc_commitment'
            union all select conname || ': ' || pg_get_constraintdef(oid) from pg_constraint where conrelid = 'ledger.mt_doc_commitment'::regclass
            union all select 'persistence: ' || relpersistence::text from pg_class where oid = 'ledger.mt_doc_commitment'::regclass
            order by 1
            """, r => r.GetString(0));

    private async Task<Dictionary<Guid, DateTime>> LastModified() =>
        (await Read("select id, mt_last_modified from ledger.mt_doc_commitment", r => (Id: r.GetGuid(0), At: r.GetDateTime(1))))
        .ToDictionary(x => x.Id, x => x.At);

    private Task<uint> TableOid() => Scalar<uint>("select 'ledger.mt_doc_commitment'::regclass::oid");

    private Task<long> CountRows() => Scalar<long>("select count(*) from ledger.mt_doc_commitment");

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

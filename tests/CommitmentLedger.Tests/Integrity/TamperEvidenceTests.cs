using System.Text.Json.Nodes;
using Alba;
using CommitmentLedger.Integrity;
using CommitmentLedger.Tests.Http;
using Marten;
using Npgsql;

namespace CommitmentLedger.Tests.Integrity;

public class TamperEvidenceTests(AppFixture fixture) : LedgerContext(fixture)
{
    private async Task<string> CommitmentWithHistory(string note = "Team arrived")
    {
        var id = (await Host.Create(Samples.Commitment())).Id();
        await Host.Write("POST", $"/api/commitments/{id}/progress", new { note, effectiveOn = "2022-01-20" });
        await Host.Write("POST", $"/api/commitments/{id}/status", new { status = "in_progress", reason = "Dispatch began" });
        await Host.Write("POST", $"/api/commitments/{id}/progress", new { note = "Second visit" });
        return id;
    }

    private async Task Sql(string sql)
    {
        await using var connection = Store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<JsonNode> Verify(string id) => await Host.Get($"/api/commitments/{id}/verify");

    [Fact]
    public async Task a_clean_commitment_verifies_with_every_event_counted()
    {
        var id = await CommitmentWithHistory();

        var result = await Verify(id);

        result["valid"]!.GetValue<bool>().ShouldBeTrue();
        result["events"]!.GetValue<long>().ShouldBe(4);
        result["firstInvalidVersion"].ShouldBeNull();
        result["reason"].ShouldBeNull();
        result["headHash"].Text().Length.ShouldBe(64);
    }

    [Fact]
    public async Task editing_an_events_data_by_sql_is_detected_and_named()
    {
        var id = await CommitmentWithHistory();
        await Sql($"update ledger.mt_events set data = jsonb_set(data, '{{note}}', '\"Team never arrived\"') where stream_id = '{id}' and version = 2");

        var result = await Verify(id);

        result["valid"]!.GetValue<bool>().ShouldBeFalse();
        result["firstInvalidVersion"]!.GetValue<long>().ShouldBe(2);
        result["reason"].Text().ShouldContain("altered");
    }

    [Fact]
    public async Task deleting_an_event_is_detected_whether_or_not_its_hash_goes_with_it()
    {
        var kept = await CommitmentWithHistory();
        var gone = await CommitmentWithHistory();
        await Sql($"delete from ledger.mt_events where stream_id = '{kept}' and version = 3");
        await Sql($"delete from ledger.mt_events where stream_id = '{gone}' and version = 3; " +
                  $"delete from ledger.event_hashes where stream_id = '{gone}' and version = 3");

        var withHash = await Verify(kept);
        withHash["valid"]!.GetValue<bool>().ShouldBeFalse();
        withHash["firstInvalidVersion"]!.GetValue<long>().ShouldBe(3);
        withHash["reason"].Text().ShouldContain("deleted");

        var withoutHash = await Verify(gone);
        withoutHash["firstInvalidVersion"]!.GetValue<long>().ShouldBe(3);
        withoutHash["reason"].Text().ShouldContain("version 3 is missing");
    }

    [Fact]
    public async Task swapping_two_events_versions_is_detected_as_a_reordering()
    {
        var id = await CommitmentWithHistory();
        await Sql($"""
            update ledger.mt_events set version = -2 where stream_id = '{id}' and version = 2;
            update ledger.mt_events set version = 2 where stream_id = '{id}' and version = 3;
            update ledger.mt_events set version = 3 where stream_id = '{id}' and version = -2;
            """);

        var result = await Verify(id);

        result["valid"]!.GetValue<bool>().ShouldBeFalse();
        result["firstInvalidVersion"]!.GetValue<long>().ShouldBe(2);
        result["reason"].Text().ShouldContain("reordered");
        result["reason"].Text().ShouldContain("version 3");
    }

    [Fact]
    public async Task an_event_inserted_with_the_trigger_disabled_has_no_hash_and_is_reported()
    {
        var id = await CommitmentWithHistory();
        await Sql($"""
            alter table ledger.mt_events disable trigger chain_events;
            insert into ledger.mt_events (seq_id, id, stream_id, version, data, type, timestamp, mt_dotnet_type)
            select nextval('ledger.mt_events_sequence'), gen_random_uuid(), stream_id, 5, data, type, now(), mt_dotnet_type
              from ledger.mt_events where stream_id = '{id}' and version = 4;
            alter table ledger.mt_events enable trigger chain_events;
            """);

        var result = await Verify(id);

        result["firstInvalidVersion"]!.GetValue<long>().ShouldBe(5);
        result["reason"].Text().ShouldContain("no hash");
    }

    [Fact]
    public async Task a_write_on_top_of_an_unhashed_event_is_refused_and_nothing_is_written()
    {
        var id = await CommitmentWithHistory();
        await Sql($"delete from ledger.event_hashes where stream_id = '{id}' and version = 4");

        var refused = await Host.Scenario(s =>
        {
            s.Post.Json(new { note = "On a broken chain" }).ToUrl($"/api/commitments/{id}/progress");
            s.StatusCodeShouldBe(500);
            s.ContentTypeShouldBe("application/problem+json");
        });

        refused.Json()["detail"].Text().ShouldContain($"stream {id} has no hash for version 4");
        (await Host.Get($"/api/commitments/{id}"))["version"]!.GetValue<long>().ShouldBe(4);
    }

    [Fact]
    public async Task sealing_returns_a_receipt_whose_checkpoint_verifies_and_sealing_again_without_news_returns_it()
    {
        await CommitmentWithHistory();
        await CommitmentWithHistory();

        var sealedNow = await Host.Scenario(s =>
        {
            s.Post.Url("/api/checkpoints");
            s.StatusCodeShouldBe(201);
        });
        var receipt = sealedNow.Json();
        var sequence = receipt["sequence"]!.GetValue<long>();
        receipt["events"]!.GetValue<long>().ShouldBe(8);
        receipt["streams"]!.GetValue<int>().ShouldBe(2);
        receipt["digest"].Text().Length.ShouldBe(64);
        receipt["previousDigest"].ShouldBeNull();
        sealedNow.Context.Response.Headers.Location.ToString().ShouldBe($"/api/checkpoints/{sequence}");

        var again = await Host.Scenario(s =>
        {
            s.Post.Url("/api/checkpoints");
            s.StatusCodeShouldBe(200);
        });
        again.Json()["digest"].Text().ShouldBe(receipt["digest"].Text());

        var verified = await Host.Get($"/api/checkpoints/{sequence}/verify");
        verified["valid"]!.GetValue<bool>().ShouldBeTrue();
        verified["recomputedDigest"].Text().ShouldBe(receipt["digest"].Text());
        verified["events"]!.GetValue<long>().ShouldBe(8);
    }

    [Fact]
    public async Task a_seal_leaves_its_lock_free_for_the_next_seal_on_any_connection()
    {
        await CommitmentWithHistory();
        await Host.Scenario(s => { s.Post.Url("/api/checkpoints"); s.StatusCodeShouldBe(201); });

        // Pooled connections go back without Npgsql's reset (LedgerStore.Tuned), which would have released a forgotten
        // session lock: the seal must release its own, or every later seal would wait for ever.
        await using var other = new NpgsqlConnection(AppFixture.ConnectionString);
        await other.OpenAsync();
        await using var attempt = new NpgsqlCommand(
            "select pg_try_advisory_lock(hashtext('commitmentledger.seal')) and pg_advisory_unlock(hashtext('commitmentledger.seal'))", other);
        ((bool)(await attempt.ExecuteScalarAsync())!).ShouldBeTrue();
    }

    [Fact]
    public async Task the_next_checkpoint_chains_to_the_previous_digest()
    {
        var id = await CommitmentWithHistory();
        var first = (await Host.Scenario(s => { s.Post.Url("/api/checkpoints"); s.StatusCodeShouldBe(201); })).Json();
        await Host.Write("POST", $"/api/commitments/{id}/progress", new { note = "After the seal" });
        var second = (await Host.Scenario(s => { s.Post.Url("/api/checkpoints"); s.StatusCodeShouldBe(201); })).Json();

        second["previousDigest"].Text().ShouldBe(first["digest"].Text());
        (await Host.Get("/api/checkpoints")).AsArray().Count.ShouldBe(2);
        var result = await LedgerVerification.VerifyAsync(Store, await LedgerVerification.StoredCheckpointsAsync(Store, default), []);
        result.Valid.ShouldBeTrue();
        result.Checkpoints.Count.ShouldBe(2);
    }

    [Fact]
    public async Task history_rewritten_with_recomputed_hashes_after_a_receipt_fails_the_receipt_and_names_the_stream()
    {
        await CommitmentWithHistory(); // left alone: the checkpoint must name only the rewritten stream
        var rewritten = await CommitmentWithHistory();
        var receiptJson = (await Host.Scenario(s => { s.Post.Url("/api/checkpoints"); s.StatusCodeShouldBe(201); })).Json();
        var receipt = new CheckpointReceipt(receiptJson["sequence"]!.GetValue<long>(), receiptJson["digest"].Text(), null,
            DateTimeOffset.Parse(receiptJson["sealedAt"].Text()), 2, 8);

        // A careful forger: changes the text and re-chains the whole stream so every link checks out.
        await Sql($$"""
            update ledger.mt_events set data = jsonb_set(data, '{note}', '"Team never arrived"') where stream_id = '{{rewritten}}' and version = 2;
            delete from ledger.event_hashes where stream_id = '{{rewritten}}';
            DO $$
            DECLARE e record; previous bytea := decode(repeat('00', 32), 'hex');
            BEGIN
              FOR e IN SELECT * FROM ledger.mt_events WHERE stream_id = '{{rewritten}}' ORDER BY version LOOP
                INSERT INTO ledger.event_hashes (stream_id, version, seq_id, previous_hash, hash)
                VALUES (e.stream_id, e.version, e.seq_id, previous,
                        sha256(previous || convert_to(ledger.chain_canonical(e.stream_id, e.version, e.type, e.data, e.user_name), 'UTF8')))
                RETURNING hash INTO previous;
              END LOOP;
            END $$;
            """);

        (await Verify(rewritten))["valid"]!.GetValue<bool>().ShouldBeTrue("the forged chain is self-consistent");

        var checkpoint = await Host.Get($"/api/checkpoints/{receipt.Sequence}/verify");
        checkpoint["valid"]!.GetValue<bool>().ShouldBeFalse();
        checkpoint["changedStreams"]!.AsArray().Select(s => s.Text()).ShouldBe([rewritten]);
        checkpoint["reason"].Text().ShouldContain(rewritten);

        var withReceipt = await LedgerVerification.VerifyAsync(Store, [], [receipt]);
        withReceipt.Valid.ShouldBeFalse();
        withReceipt.Checkpoints.Single().Reason!.ShouldContain("no longer gives the sealed digest");
    }

    [Fact]
    public async Task unknown_commitments_and_checkpoints_are_404()
    {
        await Host.Get($"/api/commitments/{Guid.NewGuid()}/verify", 404);
        await Host.Get("/api/commitments/not-a-guid/verify", 404);
        await Host.Get("/api/checkpoints/12345", 404);
        await Host.Get("/api/checkpoints/twelve/verify", 404);
    }

    [Fact]
    public async Task the_chain_trigger_survives_applying_the_schema_again()
    {
        await Store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await Store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        var id = await CommitmentWithHistory();

        var result = await Verify(id);

        result["valid"]!.GetValue<bool>().ShouldBeTrue();
        result["events"]!.GetValue<long>().ShouldBe(4);
    }

    private async Task<string> AuditExport() =>
        await (await Host.Scenario(s => s.Get.Url("/api/audit"))).ReadAsTextAsync();

    [Fact]
    public async Task an_audit_export_verifies_offline_and_an_edited_line_is_named()
    {
        var first = await CommitmentWithHistory("チームが到着した");
        await CommitmentWithHistory();
        var export = await AuditExport();

        var clean = await ExportVerifier.VerifyAsync(new StringReader(export));
        clean.Valid.ShouldBeTrue(string.Join("; ", clean.Problems));
        clean.Lines.ShouldBe(8);
        clean.Streams.ShouldBe(2);

        var forged = export.Replace("チームが到着した", "チームは到着しなかった");
        forged.ShouldNotBe(export);
        var result = await ExportVerifier.VerifyAsync(new StringReader(forged));
        result.Valid.ShouldBeFalse();
        result.Problems.Single().ShouldContain($"line 2 (stream {first} version 2)");
        result.Problems.Single().ShouldContain("no longer matches its hash");
    }

    [Fact]
    public async Task an_audit_export_with_a_line_removed_fails_offline_at_the_next_line_of_that_stream()
    {
        var id = await CommitmentWithHistory();
        var lines = (await AuditExport()).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        lines.RemoveAt(1);

        var result = await ExportVerifier.VerifyAsync(new StringReader(string.Join('\n', lines)));

        result.Valid.ShouldBeFalse();
        result.Problems.Single().ShouldContain($"stream {id} version 3");
        result.Problems.Single().ShouldContain("follows version 1");
    }
}

using Marten;
using Npgsql;

namespace CommitmentLedger.Integrity;

/// <summary>
/// Chains the events recorded before the chain existed, once: only while the hash table is empty. After that
/// an event without a hash is never hashed silently; <c>verify</c> reports it.
/// </summary>
public static class ChainBackfill
{
    public static async Task<long> RunIfNewAsync(IDocumentStore store, CancellationToken ct)
    {
        var schema = store.Options.DatabaseSchemaName;
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        // The usual start: the chain exists, and no writer is held up by the lock below.
        await using (var chained = new NpgsqlCommand($"select exists (select 1 from {schema}.{HashChainSchema.Hashes})", connection))
        {
            if ((bool)(await chained.ExecuteScalarAsync(ct))!) return 0;
        }
        await using var tx = await connection.BeginTransactionAsync(ct);
        // Writers wait while the existing events are chained, so none can append on top of an unchained one.
        await using (var lockEvents = new NpgsqlCommand($"lock table {schema}.mt_events in share mode", connection))
        {
            await lockEvents.ExecuteNonQueryAsync(ct);
        }
        await using var command = new NpgsqlCommand($$"""
            select case when exists (select 1 from {{schema}}.{{HashChainSchema.Hashes}}) then 0
                        else (select count(*) from {{schema}}.mt_events where stream_id is not null) end
            """, connection);
        var pending = (long)(await command.ExecuteScalarAsync(ct))!;
        if (pending > 0)
        {
            await using var backfill = new NpgsqlCommand($$"""
                DO $backfill$
                DECLARE
                  e record;
                  previous bytea;
                BEGIN
                  FOR e IN SELECT stream_id, version, seq_id, type, data, user_name FROM {{schema}}.mt_events
                            WHERE stream_id IS NOT NULL ORDER BY stream_id, version LOOP
                    IF e.version = 1 THEN
                      previous := decode(repeat('00', 32), 'hex');
                    END IF;
                    INSERT INTO {{schema}}.{{HashChainSchema.Hashes}} (stream_id, version, seq_id, previous_hash, hash)
                    VALUES (e.stream_id, e.version, e.seq_id, previous,
                            sha256(previous || convert_to({{schema}}.chain_canonical(e.stream_id, e.version, e.type, e.data, e.user_name), 'UTF8')))
                    RETURNING hash INTO previous;
                  END LOOP;
                END
                $backfill$;
                """, connection);
            backfill.CommandTimeout = 0;
            await backfill.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return pending;
    }
}

/// <summary>Runs after Marten has applied the schema at start-up (hosted services start in registration order).</summary>
public sealed class ChainBackfillOnStartup(IDocumentStore store, ILogger<ChainBackfillOnStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        var chained = await ChainBackfill.RunIfNewAsync(store, ct);
        if (chained > 0) logger.LogInformation("Hash chain: chained {Count} events recorded before the chain existed", chained);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}

using System.Security.Cryptography;
using System.Text;
using Marten;
using Npgsql;

namespace CommitmentLedger.Integrity;

/// <summary>What a user keeps outside the system after a seal: enough to prove later that nothing up to
/// <see cref="Sequence"/> changed.</summary>
public sealed record CheckpointReceipt(long Sequence, string Digest, string? PreviousDigest, DateTimeOffset SealedAt,
    int Streams, long Events);

/// <summary>
/// The ledger digest at a global sequence: SHA-256 over lines, each ending in a newline — the previous
/// checkpoint's digest (empty for the first), the sequence, then one line per stream that has events up to
/// the sequence, in stream id order: <c>{stream id} {version} {hash of that version, hex}</c>.
/// </summary>
public sealed class CheckpointDigest : IDisposable
{
    private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public CheckpointDigest(string? previousDigest, long sequence)
    {
        Line(previousDigest ?? "");
        Line(sequence.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public int Streams { get; private set; }

    public void Head(Guid streamId, long version, byte[] hash)
    {
        Streams++;
        Line($"{streamId:D} {version} {HashChain.Hex(hash)}");
    }

    public string Finish() => Convert.ToHexStringLower(_sha.GetHashAndReset());

    private void Line(string text) => _sha.AppendData(Encoding.UTF8.GetBytes(text + "\n"));

    public void Dispose() => _sha.Dispose();
}

public static class Checkpoints
{
    /// <summary>
    /// Seals every event committed so far. <c>SHARE</c> on the events table waits for appending transactions
    /// to commit and holds new ones back for the one <c>max(seq_id)</c> read, so no event at or below the
    /// sealed sequence can commit later and change the digest. The heads come from the recorded hashes.
    /// </summary>
    public static async Task<(CheckpointReceipt Receipt, bool Created)> SealAsync(IDocumentStore store, string? sealedBy,
        TimeProvider clock, CancellationToken ct)
    {
        var schema = store.Options.DatabaseSchemaName;
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        // One seal at a time; the share lock is held only for the read of the sequence, not for the digest.
        await Execute(connection, "select pg_advisory_lock(hashtext('commitmentledger.seal'))", ct);
        try
        {
            long sequence;
            await using (var read = await connection.BeginTransactionAsync(ct))
            {
                await Execute(connection, $"lock table {schema}.mt_events in share mode", ct);
                sequence = (long)(await Scalar(connection, $"select coalesce(max(seq_id), 0) from {schema}.mt_events", ct))!;
                await read.CommitAsync(ct);
            }
            if (await LoadAsync(connection, schema, sequence, ct) is { } existing)
            {
                return (existing, false);
            }
            await using var tx = await connection.BeginTransactionAsync(ct);
            var receipt = await SealAt(connection, schema, sequence, sealedBy, clock, ct);
            await tx.CommitAsync(ct);
            return (receipt, true);
        }
        finally
        {
            await Execute(connection, "select pg_advisory_unlock(hashtext('commitmentledger.seal'))", CancellationToken.None);
        }
    }

    private static async Task<CheckpointReceipt> SealAt(NpgsqlConnection connection, string schema, long sequence, string? sealedBy,
        TimeProvider clock, CancellationToken ct)
    {
        var previous = (string?)await Scalar(connection,
            $"select digest from {schema}.{HashChainSchema.Checkpoints} order by sequence desc limit 1", ct);
        await using (var heads = new NpgsqlCommand($"""
            insert into {schema}.{HashChainSchema.CheckpointHeads} (sequence, stream_id, version, hash)
            select distinct on (stream_id) @sequence, stream_id, version, hash
              from {schema}.{HashChainSchema.Hashes} where seq_id <= @sequence
             order by stream_id, version desc
            """, connection))
        {
            heads.Parameters.AddWithValue("sequence", sequence);
            await heads.ExecuteNonQueryAsync(ct);
        }

        using var digest = new CheckpointDigest(previous, sequence);
        long events = 0;
        await using (var read = new NpgsqlCommand(
            $"select stream_id, version, hash from {schema}.{HashChainSchema.CheckpointHeads} where sequence = @sequence order by stream_id",
            connection))
        {
            read.Parameters.AddWithValue("sequence", sequence);
            await using var reader = await read.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var version = reader.GetInt64(1);
                events += version;
                digest.Head(reader.GetGuid(0), version, reader.GetFieldValue<byte[]>(2));
            }
        }
        var receipt = new CheckpointReceipt(sequence, digest.Finish(), previous, clock.GetUtcNow(), digest.Streams, events);
        await using (var insert = new NpgsqlCommand($"""
            insert into {schema}.{HashChainSchema.Checkpoints} (sequence, digest, previous_digest, sealed_at, sealed_by, streams, events)
            values (@sequence, @digest, @previous, @sealedAt, @sealedBy, @streams, @events)
            """, connection))
        {
            insert.Parameters.AddWithValue("sequence", sequence);
            insert.Parameters.AddWithValue("digest", receipt.Digest);
            insert.Parameters.AddWithValue("previous", (object?)previous ?? DBNull.Value);
            insert.Parameters.AddWithValue("sealedAt", receipt.SealedAt);
            insert.Parameters.AddWithValue("sealedBy", (object?)sealedBy ?? DBNull.Value);
            insert.Parameters.AddWithValue("streams", receipt.Streams);
            insert.Parameters.AddWithValue("events", receipt.Events);
            await insert.ExecuteNonQueryAsync(ct);
        }
        return receipt;
    }

    public static async Task<CheckpointReceipt?> LoadAsync(NpgsqlConnection connection, string schema, long sequence, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"select sequence, digest, previous_digest, sealed_at, streams, events from {schema}.{HashChainSchema.Checkpoints} where sequence = @sequence",
            connection);
        command.Parameters.AddWithValue("sequence", sequence);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    public static async Task<List<CheckpointReceipt>> ListAsync(NpgsqlConnection connection, string schema, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"select sequence, digest, previous_digest, sealed_at, streams, events from {schema}.{HashChainSchema.Checkpoints} order by sequence",
            connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var list = new List<CheckpointReceipt>();
        while (await reader.ReadAsync(ct)) list.Add(Read(reader));
        return list;
    }

    /// <summary>The heads a checkpoint recorded, to name the streams whose recomputed head differs.</summary>
    public static async Task<Dictionary<Guid, (long Version, byte[] Hash)>> HeadsAsync(NpgsqlConnection connection, string schema,
        long sequence, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"select stream_id, version, hash from {schema}.{HashChainSchema.CheckpointHeads} where sequence = @sequence", connection);
        command.Parameters.AddWithValue("sequence", sequence);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var heads = new Dictionary<Guid, (long, byte[])>();
        while (await reader.ReadAsync(ct)) heads[reader.GetGuid(0)] = (reader.GetInt64(1), reader.GetFieldValue<byte[]>(2));
        return heads;
    }

    private static CheckpointReceipt Read(NpgsqlDataReader r) => new(r.GetInt64(0), r.GetString(1),
        r.IsDBNull(2) ? null : r.GetString(2), r.GetFieldValue<DateTimeOffset>(3), r.GetInt32(4), r.GetInt64(5));

    private static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<object?> Scalar(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync(ct);
        return value is DBNull ? null : value;
    }
}

using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace CommitmentLedger.Benchmarks;

/// <summary>The baselines: what plain Npgsql does with the same data on the same database.</summary>
public sealed class RawPostgres(NpgsqlDataSource database)
{
    public async Task Prepare()
    {
        await using var command = database.CreateCommand(
            "create table if not exists bench_raw_append (seq bigserial primary key, stream_id uuid not null, " +
            "data jsonb not null, recorded_at timestamptz not null default now())");
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>One row, one transaction (autocommit), the same JSON the HTTP client sends.</summary>
    public async Task Append(Guid streamId, string json)
    {
        await using var command = database.CreateCommand("insert into bench_raw_append (stream_id, data) values ($1, $2)");
        command.Parameters.Add(new NpgsqlParameter { Value = streamId });
        command.Parameters.Add(new NpgsqlParameter { Value = json, NpgsqlDbType = NpgsqlDbType.Jsonb });
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The projected row by id, as text, like the service reads it.</summary>
    public async Task<string> ReadById(Guid id)
    {
        await using var command = database.CreateCommand("select data from ledger.mt_doc_commitment where id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        return (string)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Every event in order, each parsed as JSON: the floor under any projection rebuild.</summary>
    public async Task<long> ReadAllEvents()
    {
        await using var command = database.CreateCommand("select data from ledger.mt_events order by seq_id");
        await using var reader = await command.ExecuteReaderAsync();
        long count = 0;
        while (await reader.ReadAsync())
        {
            using var document = JsonDocument.Parse(reader.GetString(0));
            count++;
        }
        return count;
    }

    /// <summary>Turns the hash-chain trigger on or off, to measure what the chain costs an append.</summary>
    /// <summary>Empties the commitment views, so the next <c>rebuild</c> computes and writes every one.</summary>
    public async Task EmptyCommitmentViews()
    {
        await using var command = database.CreateCommand("truncate ledger.mt_doc_commitment");
        await command.ExecuteNonQueryAsync();
    }

    public async Task SetChainTrigger(bool on)
    {
        await using var command = database.CreateCommand($"alter table ledger.mt_events {(on ? "enable" : "disable")} trigger chain_events");
        await command.ExecuteNonQueryAsync();
    }

    public async Task<string> Explain(string sql, params object[] parameters)
    {
        await using var command = database.CreateCommand("explain (analyze, buffers, costs off) " + sql);
        foreach (var parameter in parameters) command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync()) lines.Add(reader.GetString(0));
        return string.Join('\n', lines);
    }
}

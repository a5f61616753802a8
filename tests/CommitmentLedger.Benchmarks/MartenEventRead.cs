using Marten;
using Marten.Internal;
using Npgsql;
using Weasel.Storage;
using JasperFx.Events;

namespace CommitmentLedger.Benchmarks;

/// <summary>
/// P4's ceiling: every event read in stream order and deserialised by Marten's own event reader, as the service's
/// <c>rebuild</c> reads them, with nothing folded or written. No rebuild that uses Marten's reader can beat it.
/// </summary>
public static class MartenEventRead
{
    public static async Task<long> ReadAll(IDocumentStore store)
    {
        await using var session = store.QuerySession();
        var storage = ((IMartenSession)session).EventStorage();
        ISelector<IEvent> selector = storage;
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"select {string.Join(", ", storage.SelectFields().Select(f => "d." + f))} " +
            "from ledger.mt_events as d where d.is_archived = false order by d.stream_id, d.version", connection);
        await using var reader = await command.ExecuteReaderAsync();
        long count = 0;
        while (await reader.ReadAsync())
        {
            if (selector.Resolve(reader).Data is not null) count++;
        }
        return count;
    }
}

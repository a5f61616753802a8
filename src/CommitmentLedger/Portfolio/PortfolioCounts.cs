using System.Text.Json;
using CommitmentLedger.Commitments;
using CommitmentLedger.Infrastructure;
using Marten;
using Npgsql;

namespace CommitmentLedger.Portfolio;

/// <summary>
/// The portfolio counted by PostgreSQL in one round trip: one scan grouped by each dimension (grouping sets) that also
/// counts the overdue, one over the parties, and the first overdue entries (a page, never the whole list). Loading every
/// entry to count it in the service took memory and time in proportion to the whole ledger on every call (100,000
/// documents per request at the benchmark's size), and so did answering with every overdue entry (10,000 of them).
/// </summary>
public static class PortfolioCounts
{
    private const string Table = LedgerStore.Schema + ".mt_doc_portfolioentry";

    // Dates are stored as yyyy-MM-dd, so text order is date order. $1 today, $2 the terminal statuses.
    private const string IsOverdue = "data ->> 'dueOn' < $1 and not (data ->> 'status' = any($2))";

    // grouping() has a bit per dimension, set when that dimension is not grouped in the row: status 8, area 4, kind 2,
    // strength 1; 15 is the grand total, whose last column is the number of overdue entries (the same scan counts them).
    // The fields are picked out of each document once, in a subquery that `offset 0` keeps from being flattened into
    // the grouping (which would extract them again for every grouping set): 41 ms instead of 85 ms over 100,000
    // entries made from the benchmark's views (psql \timing, warm).
    private const string ByDimension =
        "select status, area, kind, strength, count(*), grouping(status, area, kind, strength), count(*) filter (where overdue) " +
        "from (select data ->> 'status' as status, data ->> 'area' as area, data ->> 'kind' as kind, " +
        $"data ->> 'strength' as strength, ({IsOverdue}) as overdue from {Table} offset 0) as entry " +
        "group by grouping sets ((status), (area), (kind), (strength), ())";

    private const string ByParty =
        $"select party, count(*) from {Table}, jsonb_array_elements_text(data -> 'parties') as party group by party";

    // Most overdue first; $3 caps the rows (PostgreSQL keeps the first $3 in a top-N sort instead of sorting them all).
    private const string Overdue =
        $"select id, data -> 'title', data ->> 'dueOn', data ->> 'status', data ->> 'area' from {Table} " +
        $"where {IsOverdue} order by data ->> 'dueOn', id limit $3";

    private static readonly string[] TerminalStatuses =
        Enum.GetValues<LifecycleStatus>().Where(Lifecycle.IsTerminal).Select(s => s.ToString()).ToArray();

    /// <summary>The counts, and the first <paramref name="overdueLimit"/> overdue entries (most overdue first).</summary>
    public static async Task<PortfolioView> Read(IDocumentStore store, DateOnly today, int overdueLimit, DaemonLag lag,
        CancellationToken ct)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        var dueBefore = today.ToString("yyyy-MM-dd");
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand(ByDimension) { Parameters = { new() { Value = dueBefore }, new() { Value = TerminalStatuses } } },
                new NpgsqlBatchCommand(ByParty),
                new NpgsqlBatchCommand(Overdue)
                {
                    Parameters = { new() { Value = dueBefore }, new() { Value = TerminalStatuses }, new() { Value = overdueLimit } },
                },
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(ct);

        var total = 0;
        var overdueCount = 0;
        var byStatus = Counts();
        var byArea = Counts();
        var byKind = Counts();
        var byStrength = Counts();
        while (await reader.ReadAsync(ct))
        {
            var count = (int)reader.GetInt64(4);
            switch (reader.GetInt32(5))
            {
                case 7: byStatus[Vocabulary.Word(Enum.Parse<LifecycleStatus>(reader.GetString(0)))] = count; break;
                case 11: byArea[reader.GetString(1)] = count; break;
                case 13: byKind[Vocabulary.Word(Enum.Parse<CommitmentKind>(reader.GetString(2)))] = count; break;
                case 14: byStrength[Vocabulary.Word(Enum.Parse<Strength>(reader.GetString(3)))] = count; break;
                case 15: total = count; overdueCount = (int)reader.GetInt64(6); break;
            }
        }

        await reader.NextResultAsync(ct);
        var byParty = Counts();
        while (await reader.ReadAsync(ct))
        {
            byParty[reader.GetString(0)] = (int)reader.GetInt64(1);
        }

        await reader.NextResultAsync(ct);
        var overdue = new List<OverdueItem>(Math.Min(overdueCount, overdueLimit));
        while (await reader.ReadAsync(ct))
        {
            overdue.Add(new OverdueItem(
                reader.GetGuid(0),
                JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(1))!,
                DateOnly.ParseExact(reader.GetString(2), "yyyy-MM-dd"),
                Enum.Parse<LifecycleStatus>(reader.GetString(3)),
                reader.GetString(4)));
        }
        return new PortfolioView(total, byStatus, byArea, byParty, byKind, byStrength, overdue, overdueCount, lag);
    }

    private static SortedDictionary<string, int> Counts() => new(StringComparer.Ordinal);
}

using CommitmentLedger.Commitments;
using Marten;

namespace CommitmentLedger.Benchmarks;

/// <summary>
/// <c>--probe-batching</c>: would group commit lift P1? Appends k progress reports to k streams in one Marten
/// session and transaction (as a group-commit writer would), without HTTP, by 1 and 2 writers, each run next
/// to raw one-row inserts at 8 clients. Prints appends per second; nothing is recorded.
/// </summary>
public static class AppendBatchingProbe
{
    public static async Task Run(DocumentStore store, RawPostgres raw, IReadOnlyList<Guid> ids, TextWriter log)
    {
        var run = TimeSpan.FromSeconds(3);
        log.WriteLine("| appends per transaction | writers | appends/s | raw one-row inserts/s, 8 clients | ratio |");
        log.WriteLine("|---:|---:|---:|---:|---:|");
        foreach (var perTransaction in new[] { 1, 4, 8, 16 })
        foreach (var writers in new[] { 1, 2 })
        {
            var batches = await Load.ClosedLoop(writers, run, async (writer, _) =>
            {
                await using var session = store.LightweightSession();
                for (var j = 0; j < perTransaction; j++)
                {
                    var stream = await session.Events.FetchForWriting<Commitment>(ids[writer * perTransaction + j]);
                    stream.AppendOne(new ProgressReported("batching probe", DateOnly.FromDateTime(DateTime.UtcNow), []));
                }
                await session.SaveChangesAsync();
            });
            var rawRate = await Load.ClosedLoop(8, run, async (client, _) => await raw.Append(ids[client], "{}"));
            var appends = batches * perTransaction;
            log.WriteLine($"| {perTransaction} | {writers} | {appends:N0} | {rawRate:N0} | {appends / rawRate:0.00}x |");
        }
    }
}

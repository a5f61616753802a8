using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using CommitmentLedger.Commitments;
using Marten;

namespace CommitmentLedger.Benchmarks;

/// <summary>
/// <c>--probe-group-commit</c>: how far could group commit lift P1 through HTTP? A bare Kestrel server in this
/// process (no authentication, no Wolverine, no idempotency, no middleware: a ceiling, not the product) takes
/// progress reports at 8 clients two ways: each request appends in its own Marten session and transaction, or each
/// request hands its append to a writer that commits whatever has queued (up to 16 streams) in one session and
/// transaction, and answers every request of the group once it is committed. Beside them: the raw one-row insert
/// behind the same endpoint, and raw one-row inserts at 8 clients without HTTP. Three rounds after a warm-up; prints
/// the medians with the CPU that PostgreSQL and this process spent per operation (<see cref="CpuMeter"/>); nothing
/// is recorded.
/// </summary>
public static class GroupCommitProbe
{
    private const int Port = 5191;
    private const int MaxGroup = 16;

    private sealed record Pending(Guid StreamId, string Note, TaskCompletionSource Committed);

    public static async Task Run(DocumentStore store, RawPostgres raw, IReadOnlyList<Guid> ids, TextWriter log)
    {
        // A queue per number of writers taking groups from it; each client appends to its own stream.
        int[] writerCounts = [1, 2];
        var queues = writerCounts.Select(_ => Channel.CreateUnbounded<Pending>()).ToArray();
        var groups = new List<int>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{Port}");
        var app = builder.Build();
        app.MapPost("/single/{id:guid}", async (Guid id, HttpRequest request) =>
        {
            var note = await new StreamReader(request.Body).ReadToEndAsync();
            await using var session = store.LightweightSession();
            var stream = await session.Events.FetchForWriting<Commitment>(id);
            stream.AppendOne(new ProgressReported(note, DateOnly.FromDateTime(DateTime.UtcNow), []));
            await session.SaveChangesAsync();
            return Results.Ok();
        });
        app.MapPost("/raw/{id:guid}", async (Guid id, HttpRequest request) =>
        {
            await raw.Append(id, JsonSerializer.Serialize(new { note = await new StreamReader(request.Body).ReadToEndAsync() }));
            return Results.Ok();
        });
        app.MapPost("/grouped/{queue:int}/{id:guid}", async (int queue, Guid id, HttpRequest request) =>
        {
            var note = await new StreamReader(request.Body).ReadToEndAsync();
            var pending = new Pending(id, note, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            await queues[queue].Writer.WriteAsync(pending);
            await pending.Committed.Task;
            return Results.Ok();
        });
        await app.StartAsync();
        var writers = Task.WhenAll(writerCounts.SelectMany((count, queue) =>
            Enumerable.Range(0, count).Select(_ => Task.Run(() => WriteGroups(store, queues[queue].Reader, groups)))));

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{Port}"),
        };
        var run = TimeSpan.FromSeconds(5);
        var cpu = new Dictionary<string, List<(double Postgres, double Self)>>();
        async Task<double> Measured(string name, int round, Func<int, long, Task> operation)
        {
            var meter = new CpuMeter();
            var stopwatch = Stopwatch.StartNew();
            var rate = await Load.ClosedLoop(8, run, operation);
            var perOperation = meter.PerOperation(rate * stopwatch.Elapsed.TotalSeconds);
            if (round > 0) (cpu.TryGetValue(name, out var list) ? list : cpu[name] = []).Add(perOperation);
            return rate;
        }
        async Task Post(string url)
        {
            using var response = await http.PostAsync(url, new StringContent("probe"));
            response.EnsureSuccessStatusCode();
        }
        var single = new List<double>();
        var rawOverHttp = new List<double>();
        var grouped = writerCounts.Select(_ => new List<double>()).ToArray();
        var rawRates = new List<double>();
        for (var round = 0; round <= 3; round++)
        {
            var s = await Measured("single", round, (client, _) => Post($"/single/{ids[client]}"));
            var h = await Measured("rawOverHttp", round, (client, _) => Post($"/raw/{ids[client]}"));
            var line = $"  round {round}: the raw insert behind the endpoint {h:N0}/s, own transaction {s:N0}/s";
            for (var queue = 0; queue < queues.Length; queue++)
            {
                lock (groups) groups.Clear();
                var g = await Measured($"grouped{queue}", round, (client, _) => Post($"/grouped/{queue}/{ids[8 * (queue + 1) + client]}"));
                if (round > 0) grouped[queue].Add(g);
                lock (groups) line += $", group commit with {writerCounts[queue]} writer(s) {g:N0}/s (mean group {groups.DefaultIfEmpty().Average():0.0})";
            }
            var r = await Measured("raw", round, async (client, _) => await raw.Append(ids[client], "{}"));
            log.WriteLine($"{line}, raw inserts {r:N0}/s{(round == 0 ? " (warm-up)" : "")}");
            if (round == 0) continue;
            single.Add(s);
            rawOverHttp.Add(h);
            rawRates.Add(r);
        }
        foreach (var queue in queues) queue.Writer.Complete();
        await writers;
        await app.StopAsync();

        var rawMedian = Load.Median(rawRates);
        log.WriteLine("| 8 clients, medians of 3 rounds | per s | ratio to raw | PostgreSQL CPU µs per op | this process's CPU µs per op |");
        log.WriteLine("|---|---:|---:|---:|---:|");
        Row("raw one-row insert per transaction (Npgsql, no HTTP)", rawRates, "raw");
        Row("the same raw insert behind the bare HTTP endpoint (no Marten)", rawOverHttp, "rawOverHttp");
        Row("Marten append (FetchForWriting, inline view), own transaction per request", single, "single");
        for (var queue = 0; queue < queues.Length; queue++)
        {
            Row($"Marten append, group commit: {writerCounts[queue]} writer(s), up to {MaxGroup} streams per transaction", grouped[queue], $"grouped{queue}");
        }
        log.WriteLine("(this process is the HTTP client, the bare server and Marten together)");

        void Row(string name, List<double> rates, string key)
        {
            var median = Load.Median(rates);
            log.WriteLine($"| {name} | {median:N0} | {median / rawMedian:0.00}x | " +
                          $"{Load.Median(cpu[key].Select(c => c.Postgres)):N0} | {Load.Median(cpu[key].Select(c => c.Self)):N0} |");
        }
    }

    /// <summary>Commits whatever has queued, one stream at most once per group, and answers each of the group after the commit.</summary>
    private static async Task WriteGroups(DocumentStore store, ChannelReader<Pending> queue, List<int> groups)
    {
        var carried = new List<Pending>();
        while (carried.Count > 0 || await queue.WaitToReadAsync(CancellationToken.None))
        {
            var group = new List<Pending>();
            var streams = new HashSet<Guid>();
            var next = new List<Pending>();
            foreach (var pending in carried)
            {
                (group.Count < MaxGroup && streams.Add(pending.StreamId) ? group : next).Add(pending);
            }
            while (group.Count < MaxGroup && queue.TryRead(out var pending))
            {
                (streams.Add(pending.StreamId) ? group : next).Add(pending);
            }
            carried = next;
            if (group.Count == 0) continue;
            try
            {
                await using var session = store.LightweightSession();
                // One round trip reads every stream of the group for writing; each keeps its own version check.
                var handles = await session.Events.FetchManyForWriting<Commitment>(group.Select(p => p.StreamId).ToList());
                for (var i = 0; i < group.Count; i++)
                {
                    handles[i].AppendOne(new ProgressReported(group[i].Note, DateOnly.FromDateTime(DateTime.UtcNow), []));
                }
                await session.SaveChangesAsync();
                lock (groups) groups.Add(group.Count);
                foreach (var pending in group) pending.Committed.SetResult();
            }
            catch (Exception e)
            {
                foreach (var pending in group) pending.Committed.SetException(e);
            }
        }
    }
}

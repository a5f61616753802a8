using System.Diagnostics;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CommitmentLedger.Benchmarks;
using CommitmentLedger.Infrastructure;
using CommitmentLedger.Integrity;
using Marten;
using Npgsql;

// The benchmark harness of issue 3: every figure side by side with its raw-Npgsql baseline, A/B rounds, medians.
// Usage: dotnet run -c Release --project tests/CommitmentLedger.Benchmarks -- [--quick] [--json] [--no-record] [--probe-group-commit]
//        ... -- --micro [--quick]   BenchmarkDotNet micro-benchmarks of the service's CPU per request (ServiceCosts)

if (args.Contains("--micro"))
{
    // CPU per request outside PostgreSQL, in this process (no separate build); --quick runs each once, as a smoke test.
    var job = (args.Contains("--quick") ? Job.Dry : Job.ShortRun).WithToolchain(InProcessEmitToolchain.Instance);
    BenchmarkRunner.Run<ServiceCosts>(DefaultConfig.Instance.AddJob(job)
        .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "cl-bench-micro")));
    return 0;
}

const string progressJson = """{"note":"benchmark progress report","effectiveOn":null,"evidence":[]}""";
var options = BenchOptions.Parse(args);
var log = Console.Error;
var repo = FindRepo();
var work = Directory.CreateTempSubdirectory("cl-bench-").FullName;
var admin = $"Host=127.0.0.1;Port={options.PgPort};Username=ledger;Database=postgres";
var connectionString = $"Host=127.0.0.1;Port={options.PgPort};Username=ledger;Database=commitmentledger_bench;Maximum Pool Size=64";

log.WriteLine($"CommitmentLedger benchmark ({(options.Quick ? "quick" : "full")}): " +
              $"{options.SmallEvents:N0} then {options.LargeEvents:N0} events; logs in {work}");
await RecreateDatabase(admin, "commitmentledger_bench");
await using var database = NpgsqlDataSource.Create(connectionString);
var raw = new RawPostgres(database);
await raw.Prepare();

log.WriteLine("Machine facts (pg_test_fsync takes a few seconds) ...");
var facts = await MachineFacts.Collect(database, repo);

using var store = DocumentStore.For(o => LedgerStore.Configure(o, connectionString));
await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
var generator = new DataGenerator(store, options.EventsPerCommitment);
var figures = new Figures();

log.WriteLine($"Loading {options.SmallCommitments:N0} commitments with Marten's bulk COPY ...");
await generator.LoadUpTo(options.SmallCommitments);
await ServiceProcess.Rebuild(repo, connectionString, Path.Combine(work, "rebuild-small.log"));
if (args.Contains("--probe-group-commit"))
{
    await GroupCommitProbe.Run(store, raw, generator.Ids, Console.Out);
    return 0;
}

await ServiceProcess.ApplySchema(repo, connectionString, Path.Combine(work, "db-apply.log"));
await using var service = await ServiceProcess.Start(repo, connectionString, 5190, Path.Combine(work, "service.log"));
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = service.BaseAddress };
http.DefaultRequestHeaders.Authorization = new("Bearer", ServiceProcess.Token());
var probes = generator.Ids.Take(options.SmallCommitments).ToArray();
var pageSize = Math.Clamp(options.SmallCommitments / 20, 1, 50);
var listUrl = $"/api/commitments?area=area-3&status=in_progress&limit={pageSize}";

await DaemonCaughtUp();
log.WriteLine("P3 at the small size ...");
(figures.HistorySmallMs, figures.AsOfSmallMs, figures.ValidAtSmallMs, figures.ListSmallMs) = await Flatness();

PeakPhase("start-up and P3 at the small size");
log.WriteLine($"Loading up to {options.LargeCommitments:N0} commitments ...");
await generator.LoadUpTo(options.LargeCommitments);

// The service's async daemon (the portfolio, the webhook relay) projects what was just bulk-loaded; every
// figure below is taken once it has caught up, so none measures the catch-up.
await DaemonCaughtUp();
PeakPhase("the bulk load and the async daemon catching up");

log.WriteLine("P4 rebuild vs raw read, Marten's projections rebuild, and verification of the hash chains ...");
// Each round empties the view table first, so `rebuild` computes and writes every view (P4, as a rebuild after a
// change to the projection would); then it runs again over views already right (it reads, folds, compares, writes none).
var rebuild = new List<double>();
var rebuildAlreadyRight = new List<double>();
var verify = new List<double>();
var rawRead = new List<double>();
var martenRead = new List<double>();
for (var round = 1; round <= options.Rounds; round++)
{
    await raw.EmptyCommitmentViews();
    var (took, events) = await ServiceProcess.Rebuild(repo, connectionString, Path.Combine(work, $"rebuild-{round}.log"));
    rebuild.Add(events / took.TotalSeconds);
    var stopwatch = Stopwatch.StartNew();
    var read = await raw.ReadAllEvents();
    rawRead.Add(read / stopwatch.Elapsed.TotalSeconds);
    stopwatch.Restart();
    read = await MartenEventRead.ReadAll(store);
    martenRead.Add(read / stopwatch.Elapsed.TotalSeconds);
    stopwatch.Restart();
    var verified = await LedgerVerification.VerifyAsync(store, [], []);
    if (!verified.Valid) throw new InvalidOperationException($"the generated ledger does not verify: {verified.Problems.FirstOrDefault()}");
    verify.Add(verified.Events / stopwatch.Elapsed.TotalSeconds);
    (took, events) = await ServiceProcess.Rebuild(repo, connectionString, Path.Combine(work, $"rebuild-{round}-again.log"));
    rebuildAlreadyRight.Add(events / took.TotalSeconds);
    log.WriteLine($"  round {round}: rebuild {rebuild[^1]:N0} events/s (again, views right: {rebuildAlreadyRight[^1]:N0}), " +
                  $"raw read {rawRead[^1]:N0} events/s, Marten's event reader alone {martenRead[^1]:N0} events/s, verify {verify[^1]:N0} events/s");
}
figures.RebuildEventsPerSecond = Load.Median(rebuild);
figures.RebuildAlreadyRightEventsPerSecond = Load.Median(rebuildAlreadyRight);
// Once, after the rounds: it rewrites every row, which would leave the next round's rebuild reading freshly written pages.
var martenTook = await ServiceProcess.MartenRebuild(repo, connectionString, Path.Combine(work, "marten-rebuild.log"));
figures.MartenRebuildEventsPerSecond = options.LargeEvents / martenTook.TotalSeconds;
log.WriteLine($"  Marten's projections rebuild: {figures.MartenRebuildEventsPerSecond:N0} events/s");
figures.RawReadEventsPerSecond = Load.Median(rawRead);
figures.MartenReadEventsPerSecond = Load.Median(martenRead);
figures.VerifyEventsPerSecond = Load.Median(verify);

log.WriteLine("P3 at the large size ...");
(figures.HistoryLargeMs, figures.AsOfLargeMs, figures.ValidAtLargeMs, figures.ListLargeMs) = await Flatness();
figures.Plans = await Plans();

// P5 is the peak under the P1/P2 loads; the peak before (start-up, the daemon projecting the bulk load) is kept apart.
PeakPhase("P4 and P3 at the large size");

var ids = generator.Ids;
log.WriteLine("P2 read by id, 8 clients, closed loop (ceiling: GET /health, one `select 1` over the same HTTP stack) ...");
(figures.ReadHttp, figures.ReadRaw, figures.ReadHttpCeiling) = await AlternateThroughput(8,
    async (client, n) => await http.GetStringAsync($"/api/commitments/{ids[Pick(client, n)]}"),
    async (client, n) => await raw.ReadById(ids[Pick(client, n)]),
    async (_, _) => await http.GetStringAsync("/health"));

log.WriteLine($"P2 read by id at a fixed {options.FixedRate}/s, open loop ...");
var httpFixed = new List<Latencies>();
var rawFixed = new List<Latencies>();
await Load.OpenLoop(options.FixedRate, options.RunLength, async n => await http.GetStringAsync($"/api/commitments/{ids[Pick(98, n)]}"));
for (var round = 1; round <= options.Rounds; round++)
{
    httpFixed.Add(await Load.OpenLoop(options.FixedRate, options.RunLength,
        async n => await http.GetStringAsync($"/api/commitments/{ids[Pick(99, n)]}")));
    rawFixed.Add(await Load.OpenLoop(options.FixedRate, options.RunLength, async n => await raw.ReadById(ids[Pick(99, n)])));
    log.WriteLine($"  round {round}: ledger p50 {httpFixed[^1].P50Ms:0.00} p99 {httpFixed[^1].P99Ms:0.00} ms " +
                  $"({httpFixed[^1].Errors} errors); raw p50 {rawFixed[^1].P50Ms:0.00} p99 {rawFixed[^1].P99Ms:0.00} ms; " +
                  $"sends late by p99 {Math.Max(httpFixed[^1].SendLateP99Ms, rawFixed[^1].SendLateP99Ms):0.00} ms");
}
figures.ReadHttpFixed = MedianLatencies(httpFixed);
figures.ReadRawFixed = MedianLatencies(rawFixed);

foreach (var clients in new[] { 1, 8 })
{
    log.WriteLine($"P1 append, {clients} client(s) (ceiling: the same append through Marten in this process, no HTTP) ...");
    var (ledger, baseline, ceiling) = await AlternateThroughput(clients,
        async (client, _) => await PostProgress(ids[client]),
        async (client, _) => await raw.Append(ids[client], progressJson),
        async (client, _) => await generator.AppendProgress(ids[client], "benchmark progress report"));
    if (clients == 1) (figures.AppendHttpC1, figures.AppendRawC1, figures.AppendMartenC1) = (ledger, baseline, ceiling);
    else (figures.AppendHttpC8, figures.AppendRawC8, figures.AppendMartenC8) = (ledger, baseline, ceiling);
}
PeakPhase(Figures.LoadsPhase);

// Last, because appends made without the chain leave those streams unable to take chained appends.
log.WriteLine("Chain cost: progress updates at 8 clients with the hash-chain trigger on and off (separate streams) ...");
var chainStreams = ids.Skip(16).Take(8).ToArray();
var plainStreams = ids.Skip(24).Take(8).ToArray();
var chained = new List<double>();
var unchained = new List<double>();
for (var round = 0; round <= options.Rounds; round++)
{
    await raw.SetChainTrigger(true);
    var on = await Load.ClosedLoop(8, options.RunLength, async (client, _) => await PostProgress(chainStreams[client]));
    await raw.SetChainTrigger(false);
    var off = await Load.ClosedLoop(8, options.RunLength, async (client, _) => await PostProgress(plainStreams[client]));
    await raw.SetChainTrigger(true);
    if (round == 0) continue; // warm-up
    chained.Add(on);
    unchained.Add(off);
    log.WriteLine($"  round {round}: chain on {on:N0}/s, off {off:N0}/s");
}
figures.AppendChained = Load.Median(chained);
figures.AppendUnchained = Load.Median(unchained);

var markdown = Report.Markdown(figures, facts, options, DateTimeOffset.UtcNow);
if (options.Record)
{
    var results = Path.Combine(repo, "tests", "CommitmentLedger.Benchmarks", "RESULTS.md");
    await File.AppendAllTextAsync(results, markdown);
    log.WriteLine($"Appended to {results}");
}
if (options.Json)
{
    Console.WriteLine(JsonSerializer.Serialize(figures.Summary()));
}
else
{
    Console.WriteLine(markdown);
}
return 0;

// Peak RSS of each phase: the peak so far is recorded under the phase's name and a new peak begins.
void PeakPhase(string phase)
{
    figures.PeakRssByPhase[phase] = service.PeakRssMiB();
    service.ResetPeakRss();
    log.WriteLine($"  service peak RSS during {phase}: {figures.PeakRssByPhase[phase]:N0} MiB");
}

async Task DaemonCaughtUp()
{
    var clock = Stopwatch.StartNew();
    while (true)
    {
        // Read from the database as /api/portfolio's daemon figure is: polling the service would load it meanwhile.
        var behind = (await CommitmentLedger.Portfolio.DaemonLag.Of(store, CancellationToken.None)).EventsBehind;
        log.Write($"\r  async daemon: {behind:N0} events behind ({clock.Elapsed.TotalSeconds:0} s)   ");
        if (behind == 0) break;
        if (clock.Elapsed > TimeSpan.FromMinutes(15)) throw new TimeoutException("the async daemon did not catch up in 15 minutes");
        await Task.Delay(1000);
    }
    log.WriteLine();
}

async Task PostProgress(Guid id)
{
    using var content = new StringContent(progressJson, Encoding.UTF8, "application/json");
    using var response = await http.PostAsync($"/api/commitments/{id}/progress", content);
    response.EnsureSuccessStatusCode();
}

int Pick(int client, long n) => (int)((uint)HashCode.Combine(client, n) % (uint)ids.Count);

async Task<(double History, double AsOf, double ValidAt, double List)> Flatness()
{
    var count = options.Quick ? 100 : 300;
    var asOf = Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"));
    var history = await Load.SequentialP50(count, async i => await http.GetStringAsync($"/api/commitments/{probes[i % probes.Length]}/history"));
    var asOfP50 = await Load.SequentialP50(count, async i => await http.GetStringAsync($"/api/commitments/{probes[i % probes.Length]}?asOf={asOf}"));
    var validAtP50 = await Load.SequentialP50(count, async i => await http.GetStringAsync($"/api/commitments/{probes[i % probes.Length]}?validAt=2022-01-05"));
    var list = await Load.SequentialP50(count, async _ =>
    {
        var page = await http.GetFromJsonAsync<JsonElement>(listUrl);
        if (page.GetProperty("items").GetArrayLength() != pageSize) throw new InvalidOperationException("the list filter lost its page");
    });
    log.WriteLine($"  history {history:0.00} ms, asOf {asOfP50:0.00} ms, validAt {validAtP50:0.00} ms, list {list:0.00} ms (p50)");
    return (history, asOfP50, validAtP50, list);
}

// Rotates ledger, raw and a ceiling run (the same work without one layer) so that all three see the same machine.
async Task<(double Ledger, double Raw, double Ceiling)> AlternateThroughput(int clients, Func<int, long, Task> ledger,
    Func<int, long, Task> baseline, Func<int, long, Task> ceiling)
{
    var a = new List<double>();
    var b = new List<double>();
    var c = new List<double>();
    // Warm-up, discarded: the JIT is still compiling hot paths during the first seconds of load.
    await Load.ClosedLoop(clients, options.RunLength, ledger);
    await Load.ClosedLoop(clients, options.RunLength, baseline);
    await Load.ClosedLoop(clients, options.RunLength, ceiling);
    for (var round = 1; round <= options.Rounds; round++)
    {
        a.Add(await Load.ClosedLoop(clients, options.RunLength, ledger));
        b.Add(await Load.ClosedLoop(clients, options.RunLength, baseline));
        c.Add(await Load.ClosedLoop(clients, options.RunLength, ceiling));
        log.WriteLine($"  round {round}: ledger {a[^1]:N0}/s, raw {b[^1]:N0}/s, ceiling {c[^1]:N0}/s");
    }
    return (Load.Median(a), Load.Median(b), Load.Median(c));
}

static Latencies MedianLatencies(List<Latencies> rounds) => new(
    Load.Median(rounds.Select(r => r.P50Ms)), Load.Median(rounds.Select(r => r.P99Ms)),
    rounds.Sum(r => r.Count), rounds.Sum(r => r.Errors), Load.Median(rounds.Select(r => r.Throughput)),
    rounds.Max(r => r.SendLateP99Ms));

async Task<string> Plans()
{
    var probe = probes[0];
    var sb = new StringBuilder();
    sb.AppendLine("-- list: area + status, ordered by id, one page");
    sb.AppendLine(await raw.Explain(
        "select d.id, d.data from ledger.mt_doc_commitment as d where (d.data ->> 'area' = $1 and d.data ->> 'status' = $2) order by d.id limit $3",
        "area-3", "InProgress", pageSize));
    sb.AppendLine("-- history: one stream's events");
    sb.AppendLine(await raw.Explain("select d.data, d.version, d.seq_id from ledger.mt_events as d where d.stream_id = $1 order by d.version", probe));
    sb.AppendLine("-- asOf: one stream's events up to a timestamp");
    sb.AppendLine(await raw.Explain(
        "select d.data, d.version from ledger.mt_events as d where d.stream_id = $1 and d.timestamp <= $2 order by d.version",
        probe, DateTimeOffset.UtcNow));
    sb.AppendLine("-- read by id: the projected row");
    sb.AppendLine(await raw.Explain("select d.data from ledger.mt_doc_commitment as d where d.id = $1", probe));
    return sb.ToString();
}

static async Task RecreateDatabase(string adminConnection, string name)
{
    await using var admin = NpgsqlDataSource.Create(adminConnection);
    await using (var drop = admin.CreateCommand($"drop database if exists {name} with (force)")) await drop.ExecuteNonQueryAsync();
    await using (var create = admin.CreateCommand($"create database {name}")) await create.ExecuteNonQueryAsync();
}

static string FindRepo()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "CommitmentLedger.sln"))) return dir.FullName;
    }
    throw new InvalidOperationException("Run the benchmark from inside the CommitmentLedger checkout");
}

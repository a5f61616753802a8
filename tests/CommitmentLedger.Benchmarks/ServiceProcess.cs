using System.Diagnostics;
using System.Text.RegularExpressions;

namespace CommitmentLedger.Benchmarks;

/// <summary>The real service, started as its own process from its Release build, as a user would run it.</summary>
public sealed partial class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    public Uri BaseAddress { get; }
    public int ProcessId => _process.Id;

    private ServiceProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    /// <summary>The key the service verifies tokens with (Production refuses the development key).</summary>
    public const string SigningKey = "benchmark-signing-key-for-a-throwaway-database-only";

    /// <summary>An admin token for the load's client.</summary>
    public static string Token() => CommitmentLedger.Security.DevTokens.Mint(
        new CommitmentLedger.Security.AuthSettings { SigningKey = SigningKey }, "benchmark", CommitmentLedger.Security.LedgerAuth.Admin, TimeSpan.FromHours(12));

    public static string ServiceDll(string repo) =>
        Path.Combine(repo, "src", "CommitmentLedger", "bin", "Release", "net10.0", "CommitmentLedger.dll");

    public static async Task<ServiceProcess> Start(string repo, string connectionString, int port, string logFile)
    {
        var process = Launch(repo, connectionString, $"--urls http://127.0.0.1:{port}", logFile);
        var service = new ServiceProcess(process, new Uri($"http://127.0.0.1:{port}"));
        using var http = new HttpClient { BaseAddress = service.BaseAddress };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The service exited with {process.ExitCode}; see {logFile}");
            }
            try
            {
                if ((await http.GetAsync("/health")).IsSuccessStatusCode) return service;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"The service did not become healthy in 90 s; see {logFile}");
    }

    /// <summary>Runs <c>db-apply</c>: in Production the service only checks the schema at start, as an operator would run it.</summary>
    public static async Task ApplySchema(string repo, string connectionString, string logFile)
    {
        var process = Launch(repo, connectionString, "db-apply", logFile);
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"db-apply failed; see {logFile}");
    }

    /// <summary>
    /// Runs the service's own <c>rebuild</c> of the commitment views and returns the time and the events it reports
    /// on its last line (startup excluded).
    /// </summary>
    public static async Task<(TimeSpan Took, long Events)> Rebuild(string repo, string connectionString, string logFile)
    {
        var output = await RunToEnd(repo, connectionString, "rebuild", logFile);
        var match = RebuiltViews().Match(output);
        if (!match.Success) throw new InvalidOperationException($"rebuild printed no summary line; see {logFile}");
        return (TimeSpan.FromMilliseconds(long.Parse(match.Groups["ms"].Value)), long.Parse(match.Groups["events"].Value));
    }

    /// <summary>Runs Marten's <c>projections rebuild</c> of the commitment view and returns the time it reports (startup excluded).</summary>
    public static async Task<TimeSpan> MartenRebuild(string repo, string connectionString, string logFile)
    {
        var wall = Stopwatch.StartNew();
        // The commitment view only: the portfolio is the running service's async daemon's to keep.
        var output = await RunToEnd(repo, connectionString, "projections -p Commitment rebuild", logFile);
        wall.Stop();
        if (output.Contains("Errors detected"))
        {
            throw new InvalidOperationException($"projections rebuild failed; see {logFile}");
        }
        var match = FinishedRebuilding().Match(output);
        return match.Success ? TimeSpan.FromMilliseconds(int.Parse(match.Groups["ms"].Value)) : wall.Elapsed;
    }

    private static async Task<string> RunToEnd(string repo, string connectionString, string arguments, string logFile)
    {
        var process = Launch(repo, connectionString, arguments, logFile);
        await process.WaitForExitAsync();
        var output = await File.ReadAllTextAsync(logFile);
        if (process.ExitCode != 0) throw new InvalidOperationException($"{arguments} failed; see {logFile}");
        return output;
    }

    [GeneratedRegex(@"Rebuilt \d+ commitment views from (?<events>\d+) events in (?<ms>\d+) ms")]
    private static partial Regex RebuiltViews();

    [GeneratedRegex(@"Finished rebuilding Commitment in (?<ms>\d+) ms")]
    private static partial Regex FinishedRebuilding();

    private static Process Launch(string repo, string connectionString, string arguments, string logFile)
    {
        var dll = ServiceDll(repo);
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"Build the service in Release first (dotnet build -c Release): {dll}");
        }
        var start = new ProcessStartInfo("dotnet", $"\"{dll}\" {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        start.Environment["ConnectionStrings__Ledger"] = connectionString;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Auth__SigningKey"] = SigningKey;
        start.Environment["RateLimit__PermitsPerWindow"] = "0"; // the load is one client on purpose
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__Marten"] = "Error";
        var process = Process.Start(start)!;
        var log = new StreamWriter(logFile) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.Exited += (_, _) => { lock (log) log.Flush(); };
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Peak resident memory of the service so far (VmHWM), in MiB.</summary>
    public double PeakRssMiB()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmHWM:"))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
            }
        }
        return double.NaN;
    }

    /// <summary>Starts a new peak: Linux resets VmHWM to the current RSS when "5" is written to clear_refs.</summary>
    public void ResetPeakRss() => File.WriteAllText($"/proc/{_process.Id}/clear_refs", "5");

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}

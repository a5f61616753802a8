using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Playwright;
using Npgsql;

namespace CommitmentLedger.BrowserTests;

/// <summary>
/// The service started as its own process on a free port, over a fresh database holding the sample meeting,
/// and Debian's Chromium driven by Playwright.
/// </summary>
public sealed class DashboardService : IAsyncLifetime
{
    private const string Database = "commitmentledger_browser";
    private Process? _service;
    private string _connectionString = "";
    private IPlaywright? _playwright;

    public Uri BaseAddress { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public HttpClient Api { get; private set; } = null!;
    public string AdminToken { get; private set; } = "";
    public string RecorderToken { get; private set; } = "";
    public string Screenshots { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");
    private readonly string _log = Path.Combine(AppContext.BaseDirectory, "dashboard-service.log");

    public static string Chromium => Environment.GetEnvironmentVariable("LEDGER_CHROMIUM") ?? "/usr/bin/chromium";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Screenshots);
        var port = int.TryParse(Environment.GetEnvironmentVariable("LEDGER_PG_PORT"), out var pg) ? pg : 5544;
        await RecreateDatabase($"Host=127.0.0.1;Port={port};Username=ledger;Database=postgres");
        var connectionString = $"Host=127.0.0.1;Port={port};Username=ledger;Database={Database}";

        var import = Start(connectionString, $"import \"{SampleFile()}\"");
        await import.WaitForExitAsync();
        if (import.ExitCode != 0) throw new InvalidOperationException($"importing the sample failed; see {_log}");

        _connectionString = connectionString;
        AdminToken = await Token("browser-admin", "admin");
        RecorderToken = await Token("browser-recorder", "recorder");

        var http = FreePort();
        BaseAddress = new Uri($"http://127.0.0.1:{http}");
        _service = Start(connectionString, $"--urls {BaseAddress}");
        Api = new HttpClient { BaseAddress = BaseAddress };
        Api.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminToken);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (_service.HasExited) throw new InvalidOperationException($"the service exited; see {_log}");
            try
            {
                if ((await Api.GetAsync("/health")).IsSuccessStatusCode) break;
            }
            catch (HttpRequestException) when (clock.Elapsed < TimeSpan.FromSeconds(60))
            {
            }
            await Task.Delay(200);
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox"],
        });
    }

    /// <summary>A page whose dashboard already holds <paramref name="token"/> (the recorder's by default), as if pasted.</summary>
    public async Task<IPage> NewPage(int width = 1200, int height = 900, string? token = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseAddress.ToString(),
            TimezoneId = "UTC",
            Locale = "en-GB",
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });
        await context.AddInitScriptAsync($"localStorage.setItem('cl-token', '{token ?? RecorderToken}');");
        return await context.NewPageAsync();
    }

    /// <summary>Waits until the async daemon has projected every event into the portfolio (it says how far behind it is).</summary>
    public async Task PortfolioCaughtUp()
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var portfolio = await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<System.Text.Json.JsonElement>(Api, "/api/portfolio");
            if (portfolio.GetProperty("daemon").GetProperty("eventsBehind").GetInt64() == 0) return;
            if (clock.Elapsed > TimeSpan.FromSeconds(30)) throw new TimeoutException("the portfolio did not catch up in 30 s");
            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (_service is { HasExited: false })
        {
            _service.Kill(entireProcessTree: true);
            await _service.WaitForExitAsync();
        }
        Api?.Dispose();
    }

    /// <summary>The service's own <c>dev-token</c> command, as a newcomer would get a token.</summary>
    public async Task<string> Token(string name, string role)
    {
        var process = Start(_connectionString, $"dev-token --name {name} --role {role}", captureOutput: true);
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output.Split('\n').Select(line => line.Trim()).LastOrDefault(line => line.Count(c => c == '.') == 2 && !line.Contains(' '))
               ?? throw new InvalidOperationException($"dev-token printed no token: {output}");
    }

    private Process Start(string connectionString, string arguments, bool captureOutput = false)
    {
        var dll = ServiceDll();
        var start = new ProcessStartInfo("dotnet", $"\"{dll}\" {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        start.Environment["ConnectionStrings__Ledger"] = connectionString;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        var process = Process.Start(start)!;
        if (captureOutput) return process;
        var log = new StreamWriter(_log, append: true) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task RecreateDatabase(string admin)
    {
        await using var source = NpgsqlDataSource.Create(admin);
        await using (var drop = source.CreateCommand($"drop database if exists {Database} with (force)")) await drop.ExecuteNonQueryAsync();
        await using (var create = source.CreateCommand($"create database {Database}")) await create.ExecuteNonQueryAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Repo()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CommitmentLedger.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("run the browser tests from inside the CommitmentLedger checkout");
    }

    /// <summary>The service build of the same configuration as these tests (bin/Debug or bin/Release).</summary>
    private static string ServiceDll()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        var dll = Path.Combine(Repo(), "src", "CommitmentLedger", "bin", configuration, "net10.0", "CommitmentLedger.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"build the service first ({configuration})", dll);
    }

    private static string SampleFile() =>
        Path.Combine(Repo(), "deploy", "sample-data", "2021-11-23-japan-vietnam-defence-ministers-meeting.json");
}

[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardService>
{
    public const string Name = "dashboard";
}

using Alba;
using CommitmentLedger.Reviews;
using CommitmentLedger.Security;
using JasperFx.CommandLine;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Wolverine;
using Wolverine.Runtime;

namespace CommitmentLedger.Tests;

/// <summary>
/// One host for the whole run, on a real PostgreSQL: <c>ConnectionStrings__Ledger</c> as set by
/// deploy/test.sh, or the project's local test database. Every request carries a real admin token
/// signed with the development key unless the scenario sets its own <c>Authorization</c> header
/// (<see cref="NoToken"/> for none).
/// </summary>
public sealed class AppFixture : IAsyncLifetime
{
    public const string TestDatabase = "Host=127.0.0.1;Port=5544;Username=ledger;Database=commitmentledger_test";

    /// <summary>An Authorization header value the service ignores: the request goes without a token.</summary>
    public const string NoToken = "none";

    public static readonly string AdminToken = Token("test-admin", LedgerAuth.Admin);

    public IAlbaHost Host { get; private set; } = null!;

    /// <summary>
    /// Test hosts run without the default review period (P6M in the service): with it, every commitment a test
    /// records without a due date would get review checks, and their ReviewDue entries would land in the middle of
    /// unrelated tests. The review tests start a host of their own with it.
    /// </summary>
    public const string NoDefaultReviews = "";

    /// <summary>A token as <c>dev-token</c> mints it in Development.</summary>
    public static string Token(string name, string role, TimeSpan? lifetime = null) =>
        DevTokens.Mint(new AuthSettings { SigningKey = LedgerAuth.DevelopmentSigningKey }, name, role, lifetime ?? TimeSpan.FromHours(1));

    public static void AuthorizeByDefault(IAlbaHost host) => host.BeforeEach(http =>
    {
        var headers = http.Request.Headers;
        if (headers.Authorization.Count == 0)
        {
            headers.Authorization = "Bearer " + AdminToken;
        }
    });

    /// <summary>The service's <see cref="TimeProvider"/>: tests move it instead of waiting.</summary>
    public TestClock Clock { get; } = new();

    public async Task InitializeAsync()
    {
        JasperFxEnvironment.AutoStartHost = true;
        Host = await StartHost(ConnectionString, Clock);
    }

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable("ConnectionStrings__Ledger") ?? TestDatabase;

    /// <summary>A host of the service on a database with a clock of the test's; the shared one, or one a test restarts.</summary>
    public static async Task<IAlbaHost> StartHost(string connectionString, TestClock clock,
        Action<IServiceCollection>? configure = null, params (string Key, string Value)[] settings)
    {
        var host = await AlbaHost.For<Program>(builder =>
    {
        builder.UseSetting("ConnectionStrings:Ledger", connectionString);
        builder.UseSetting(ReviewSettings.DefaultPeriodKey, NoDefaultReviews);
        foreach (var (key, value) in settings) builder.UseSetting(key, value);
        // One user makes every request of the suite, far faster than a client would: no rate limit
        // here (RateLimitTests has its own host with one).
        builder.UseSetting("RateLimit:PermitsPerWindow", "0");
        // Webhook receivers in the tests listen on loopback; retries follow each other quickly.
        builder.UseSetting("Ledger:Subscriptions:AllowedHosts", "127.0.0.1,localhost");
        builder.UseSetting("Ledger:Subscriptions:RetryDelays", "00:00:00.050,00:00:00.100,00:00:00.200");
        builder.ConfigureServices(services =>
        {
            services.RunWolverineInSoloMode();
            services.DisableAllExternalWolverineTransports();
            services.AddSingleton<TimeProvider>(clock);
            configure?.Invoke(services);
        });
    });
        AuthorizeByDefault(host);
        return host;
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();

    /// <summary>Another host on the same database with some settings of its own (run it inside the ledger collection).</summary>
    public static async Task<IAlbaHost> StartHostWith(params (string Key, string Value)[] settings)
    {
        var connectionString = Environment.GetEnvironmentVariable("ConnectionStrings__Ledger") ?? TestDatabase;
        var host = await AlbaHost.For<Program>(builder =>
        {
            builder.UseSetting("ConnectionStrings:Ledger", connectionString);
            builder.UseSetting(ReviewSettings.DefaultPeriodKey, NoDefaultReviews);
            foreach (var (key, value) in settings) builder.UseSetting(key, value);
            builder.ConfigureServices(services =>
            {
                services.RunWolverineInSoloMode();
                services.DisableAllExternalWolverineTransports();
            });
        });
        AuthorizeByDefault(host);
        return host;
    }
}

[CollectionDefinition(Name)]
public sealed class LedgerCollection : ICollectionFixture<AppFixture>
{
    public const string Name = "ledger";
}

/// <summary>Base of the HTTP tests: every test starts from an empty ledger.</summary>
[Collection(LedgerCollection.Name)]
public abstract class LedgerContext(AppFixture fixture) : IAsyncLifetime
{
    protected IAlbaHost Host => fixture.Host;
    protected IDocumentStore Store => Host.Services.GetRequiredService<IDocumentStore>();
    protected TestClock Clock => fixture.Clock;

    public async Task InitializeAsync()
    {
        Clock.Reset();
        await Host.ResetAllMartenDataAsync();
        // Wolverine's inbox and outbox (scheduled deadline checks, webhook deliveries) live beside Marten's tables.
        await Host.Services.GetRequiredService<IWolverineRuntime>().Storage.Admin.ClearAllAsync();
        // The hash chain's tables are the project's, not Marten's: Marten's reset leaves them.
        await using var connection = Store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        await using var truncate = new Npgsql.NpgsqlCommand(
            "truncate ledger.event_hashes, ledger.checkpoints, ledger.checkpoint_heads", connection);
        await truncate.ExecuteNonQueryAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

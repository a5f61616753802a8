using CommitmentLedger.Commitments;
using CommitmentLedger.Infrastructure;
using CommitmentLedger.Integrity;
using CommitmentLedger.Reviews;
using CommitmentLedger.Security;
using CommitmentLedger.Subscriptions;
using JasperFx;
using JasperFx.CodeGeneration;
using Marten;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Scalar.AspNetCore;
using Wolverine;
using Wolverine.ErrorHandling;
using Wolverine.Http;
using Wolverine.Marten;
using Wolverine.Persistence;

var builder = WebApplication.CreateBuilder(args);

var connectionString = builder.Configuration.GetConnectionString("Ledger")
    ?? "Host=127.0.0.1;Port=5544;Username=ledger;Database=commitmentledger";

builder.AddLedgerTelemetry();
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = Limits.RequestBodyBytes);
builder.Services.ConfigureHttpJsonOptions(json => JsonSetup.Configure(json.SerializerOptions));
builder.Services.AddProblemDetails(problems => problems.CustomizeProblemDetails = ProblemDetailsSetup.Customize);
builder.Services.AddExceptionHandler<ExceptionProblems>();
builder.Services.AddOpenApi();
builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
builder.Services.AddSingleton(TimeProvider.System);
builder.AddLedgerAuth();
builder.AddClientRateLimit();
builder.Services.AddSingleton(ReviewSettings.From(builder.Configuration));
var webhooks = WebhookSettings.From(builder.Configuration);
builder.Services.AddSingleton(webhooks);
builder.Services.AddSingleton(IdempotencyRetention.From(builder.Configuration));
builder.Services.AddHostedService<IdempotencyPurge>();
builder.Services.AddHttpClient("webhooks", client => client.Timeout = TimeSpan.FromSeconds(10));

var marten = builder.Services.AddMarten(opts => LedgerStore.Configure(opts, connectionString))
    .UseLightweightSessions()
    // Webhooks: every event, in order, on the daemon, handed to Wolverine's outbox (Subscriptions/).
    .SubscribeToEvents(new WebhookRelay())
    // The daemon's agents (the async portfolio projection and the webhook relay) each run on exactly one node,
    // assigned by Wolverine's elected leader from the node table, not by Marten's HotCold advisory locks: those
    // went with the connections when PostgreSQL restarted, and the leader kept its agents running while another
    // node took the free locks and started them too (README, "Fault drills"). No AddAsyncDaemon: Wolverine sets
    // Marten's daemon mode to ExternallyManaged.
    .IntegrateWithWolverine(wolverine => wolverine.UseWolverineManagedEventSubscriptionDistribution = true);
// In Production the schema is applied by `db-apply` (a deliberate step), and start-up only checks it
// (fails naming what differs); elsewhere start-up applies it.
if (builder.Environment.IsProduction())
{
    marten.AssertDatabaseMatchesConfigurationOnStartup();
}
else
{
    marten.ApplyAllDatabaseChangesOnStartup();
}
builder.Services.AddHostedService<ChainBackfillOnStartup>();
// A daemon agent that Marten stopped because another node ran it too (after a PostgreSQL outage longer than
// StaleNodeTimeout) is restarted in place once no other copy can run it: Wolverine leaves such an agent stopped.
builder.Services.AddHostedService<DaemonShardWatchdog>();

builder.Host.UseWolverine(opts =>
{
    opts.Policies.AutoApplyTransactions();
    // Local messages (deadline and review checks, webhook deliveries) live in the PostgreSQL inbox until handled,
    // scheduled ones included: they survive a restart.
    opts.Policies.UseDurableLocalQueues();
    // A receiver that fails is tried again after each delay (Ledger:Subscriptions:RetryDelays), then the delivery
    // goes to the dead-letter table; every attempt shows in GET /api/subscriptions/{id}/deliveries.
    opts.OnException<WebhookDeliveryFailed>().RetryWithCooldown(webhooks.RetryDelays);
    opts.EntityDefaults.OnMissing = OnMissing.ProblemDetailsWith404;
    // Handlers and endpoints run the code pre-generated into Internal/Generated (`codegen write`,
    // committed, checked by deploy/codegen-check.sh): no Roslyn at runtime, in every environment and
    // in the tests. The `codegen` command itself ignores Static and generates from the endpoints.
    opts.CodeGeneration.TypeLoadMode = TypeLoadMode.Static;
    // A node that stops writing its heartbeat (killed, or cut off) is dropped after StaleNodeTimeout and its agents
    // go to a live node: the defaults (10 s heartbeats, 60 s) took the portfolio over only after a minute or more.
    opts.Durability.HealthCheckPollingTime = TimeSpan.FromSeconds(5);
    opts.Durability.StaleNodeTimeout = TimeSpan.FromSeconds(20);
});
builder.Services.AddWolverineHttp();
// The first hosted service (Marten puts its own first): a configuration that cannot work is named
// before anything else starts.
builder.Services.Insert(0, ServiceDescriptor.Singleton<IHostedService, StartupChecks>());

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseMiddleware<RequestBodyLimit>();
// The dashboard (wwwroot, copied next to the binaries): static pages over the same v1 API, served at /.
// API requests skip the file look-ups (a stat of the disk per request, measured on reads by id).
var dashboard = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(Path.Combine(AppContext.BaseDirectory, "wwwroot"));
app.UseWhen(http => !http.Request.Path.StartsWithSegments("/api"), files => files
    .UseDefaultFiles(new DefaultFilesOptions { FileProvider = dashboard })
    .UseStaticFiles(new StaticFileOptions { FileProvider = dashboard }));
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
app.UseMiddleware<IdempotentResponses>();

app.MapOpenApi();
if (app.Environment.IsDevelopment())
{
    app.MapScalarApiReference();
}
app.MapHealthChecks("/health", new HealthCheckOptions
{
    ResponseWriter = (http, report) => http.Response.WriteAsJsonAsync(new
    {
        status = report.Status.ToString().ToLowerInvariant(),
        checks = report.Entries.ToDictionary(e => e.Key, e => new
        {
            status = e.Value.Status.ToString().ToLowerInvariant(),
            description = e.Value.Description,
        }),
    }),
});

app.MapWolverineEndpoints(opts =>
{
    opts.RejectUnparseableQueryValues = true;
    opts.RequireRoles();
    opts.DescribeProblemResponses();
    opts.AddMiddleware(typeof(RequestMetadata), chain => chain.HttpMethods.Any(m => m is "POST" or "PUT"));
    opts.AddMiddleware(typeof(Idempotency), chain => chain.HttpMethods.Contains("POST"));
});

return await app.RunJasperFxCommands(args);

public partial class Program;

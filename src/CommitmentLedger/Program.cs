using System.Text.Json;
using CommitmentLedger.Commitments;
using CommitmentLedger.Infrastructure;
using JasperFx;
using JasperFx.CodeGeneration;
using JasperFx.Events.Projections;
using Marten;
using Marten.Schema;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Scalar.AspNetCore;
using Weasel.Core;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;
using Wolverine.Persistence;

var builder = WebApplication.CreateBuilder(args);

var connectionString = builder.Configuration.GetConnectionString("Ledger")
    ?? "Host=127.0.0.1;Port=5544;Username=ledger;Database=commitmentledger";

builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = Limits.RequestBodyBytes);
builder.Services.ConfigureHttpJsonOptions(json => JsonSetup.Configure(json.SerializerOptions));
builder.Services.AddProblemDetails(problems => problems.CustomizeProblemDetails = ProblemDetailsSetup.Customize);
builder.Services.AddExceptionHandler<ExceptionProblems>();
builder.Services.AddOpenApi();
builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
builder.Services.AddSingleton(TimeProvider.System);

builder.Services.AddMarten(opts =>
    {
        opts.Connection(connectionString);
        opts.DatabaseSchemaName = "ledger";
        opts.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);

        opts.Events.MetadataConfig.UserNameEnabled = true;
        opts.Events.MetadataConfig.CorrelationIdEnabled = true;
        opts.Events.MetadataConfig.CausationIdEnabled = true;

        opts.Projections.Add<CommitmentProjection>(ProjectionLifecycle.Inline);

        // Every list filter is an index lookup: parties through the GIN index on the document,
        // free text (q) through a trigram index on the lower-cased titles.
        opts.Schema.For<Commitment>()
            .UniqueIndex(UniqueIndexType.Computed, "uix_commitment_external_ref", x => x.ExternalRef!)
            .Index(x => x.Status)
            .Index(x => x.Kind)
            .Index(x => x.Area)
            .Index(x => x.ParentId!)
            .Index(x => x.DueOn!)
            .Index(x => x.SearchText, index =>
            {
                index.Name = "ix_commitment_search_text_trgm";
                index.Method = IndexMethod.gin;
                index.Mask = "? gin_trgm_ops";
            })
            .GinIndexJsonData();
        opts.Storage.ExtendedSchemaObjects.Add(new Extension("pg_trgm"));
    })
    .UseLightweightSessions()
    .ApplyAllDatabaseChangesOnStartup()
    .IntegrateWithWolverine();

builder.Host.UseWolverine(opts =>
{
    opts.Policies.AutoApplyTransactions();
    opts.EntityDefaults.OnMissing = OnMissing.ProblemDetailsWith404;
    opts.CodeGeneration.TypeLoadMode = TypeLoadMode.Dynamic;
    opts.UseRuntimeCompilation();
});
builder.Services.AddWolverineHttp();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseMiddleware<RequestBodyLimit>();

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
    opts.AddMiddleware(typeof(RequestMetadata), chain => chain.HttpMethods.Any(m => m is "POST" or "PUT"));
});

return await app.RunJasperFxCommands(args);

public partial class Program;

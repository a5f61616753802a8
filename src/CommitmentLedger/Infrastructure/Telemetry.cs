using Microsoft.Extensions.Logging.Console;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace CommitmentLedger.Infrastructure;

/// <summary>Structured logs, and OpenTelemetry traces and metrics exported over OTLP when an endpoint is configured.</summary>
public static class Telemetry
{
    public static void AddLedgerTelemetry(this WebApplicationBuilder builder)
    {
        // Logs go to stderr, so that commands (seal, verify, export) keep stdout for their output; one JSON
        // object per line outside Development (Logging:Json to choose).
        var json = builder.Configuration.GetValue("Logging:Json", !builder.Environment.IsDevelopment());
        builder.Logging.AddConsole(console =>
        {
            console.LogToStandardErrorThreshold = LogLevel.Trace;
            if (json) console.FormatterName = ConsoleFormatterNames.Json;
        });

        // OTEL_EXPORTER_OTLP_ENDPOINT is the standard switch; OpenTelemetry:OtlpEndpoint the same in configuration.
        var endpoint = builder.Configuration["OpenTelemetry:OtlpEndpoint"] ?? builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            return;
        }
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(builder.Configuration["OpenTelemetry:ServiceName"] ?? "commitmentledger"))
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(asp => asp.Filter = http => !http.Request.Path.StartsWithSegments("/health"))
                .AddSource("Marten", "Wolverine"))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddMeter("Marten", "Wolverine", "Microsoft.AspNetCore.RateLimiting"))
            .UseOtlpExporter(OpenTelemetry.Exporter.OtlpExportProtocol.Grpc, new Uri(endpoint));
    }
}

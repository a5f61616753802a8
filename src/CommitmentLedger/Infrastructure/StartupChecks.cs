using CommitmentLedger.Security;

namespace CommitmentLedger.Infrastructure;

/// <summary>
/// Refuses to serve with a configuration that cannot work, naming every setting at fault, before the
/// first request instead of on it. Runs when the host starts (serving), not for commands like db-apply.
/// </summary>
public sealed class StartupChecks(IConfiguration configuration, IHostEnvironment environment, ILogger<StartupChecks> logger) : IHostedService
{
    public Task StartAsync(CancellationToken ct)
    {
        var problems = Problems(configuration, environment).ToList();
        if (problems.Count > 0)
        {
            var message = $"The configuration is invalid ({environment.EnvironmentName}):\n  - " + string.Join("\n  - ", problems) +
                          "\nSet these through appsettings.{Environment}.json or environment variables (Section__Key).";
            logger.LogCritical("{Message}", message);
            throw new InvalidOperationException(message);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;

    public static IEnumerable<string> Problems(IConfiguration configuration, IHostEnvironment environment) =>
        LedgerAuth.Problems(LedgerAuth.Settings(configuration, environment), environment);
}

using System.Globalization;
using Marten;

namespace CommitmentLedger.Infrastructure;

/// <summary>
/// <c>Ledger:Idempotency:RetainFor</c> (a TimeSpan, default one day): how long an Idempotency-Key is remembered.
/// A key older than that is free again, and records older than that are deleted every <c>PurgeEvery</c>.
/// </summary>
public sealed record IdempotencyRetention(TimeSpan RetainFor, TimeSpan PurgeEvery)
{
    public const string RetainForKey = "Ledger:Idempotency:RetainFor";

    public static IdempotencyRetention From(IConfiguration configuration)
    {
        var retainFor = Parse(configuration[RetainForKey], TimeSpan.FromDays(1), RetainForKey);
        // Purging often keeps each delete small; more often than the retention itself would gain nothing.
        return new IdempotencyRetention(retainFor, TimeSpan.FromTicks(Math.Min(retainFor.Ticks, TimeSpan.FromHours(1).Ticks)));
    }

    public bool Expired(IdempotentRequest request, DateTimeOffset now) => request.ReceivedAt <= now - RetainFor;

    /// <summary>Deletes every record received before the retention began; returns how many.</summary>
    public async Task<int> PurgeAsync(IDocumentStore store, DateTimeOffset now, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var cutoff = now - RetainFor;
        var expired = await session.Query<IdempotentRequest>().Where(r => r.ReceivedAt <= cutoff).CountAsync(ct);
        if (expired == 0) return 0;
        session.DeleteWhere<IdempotentRequest>(r => r.ReceivedAt <= cutoff);
        await session.SaveChangesAsync(ct);
        return expired;
    }

    private static TimeSpan Parse(string? text, TimeSpan fallback, string key) =>
        string.IsNullOrWhiteSpace(text) ? fallback
        : TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) && value > TimeSpan.Zero ? value
        : throw new InvalidOperationException($"{key} '{text}' must be a positive duration written d.hh:mm:ss (e.g. 1.00:00:00 for a day)");
}

/// <summary>Deletes expired Idempotency-Key records now and then; on every node (a second delete finds nothing).</summary>
public sealed class IdempotencyPurge(IDocumentStore store, IdempotencyRetention retention, TimeProvider clock,
    ILogger<IdempotencyPurge> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(retention.PurgeEvery);
        do
        {
            try
            {
                var purged = await retention.PurgeAsync(store, clock.GetUtcNow(), stoppingToken);
                if (purged > 0) logger.LogInformation("Forgot {Count} Idempotency-Key records older than {RetainFor}", purged, retention.RetainFor);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Purging expired Idempotency-Key records failed; trying again in {Every}", retention.PurgeEvery);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}

using JasperFx;
using JasperFx.Events.Daemon;
using Marten;
using Wolverine.Runtime;
using Wolverine.Runtime.Agents;

namespace CommitmentLedger.Infrastructure;

/// <summary>
/// Restarts, in place, a daemon agent (projection or subscription shard) of this node that Marten stopped with
/// <c>ProgressionProgressOutOfOrderException</c> once no other copy can be running: Wolverine never restarts an
/// agent stopped for that reason ("a failure it cannot recover from by restarting"), so after a PostgreSQL outage
/// longer than <c>StaleNodeTimeout</c>, when the leader took a live peer for dead and started the peer's agent too,
/// the copy that lost stayed registered, stopped and assigned, and the shard stalled until a node was restarted
/// (README, "Fault drills").
/// <para>Restarted only when all of these hold, on consecutive checks at least <see cref="QuietPeriod"/> apart:
/// the agent's row in <c>wolverine_node_assignments</c> names this node (one row per agent: the leader places it
/// here, and Wolverine's reconciliation stops any copy on a node the row does not name within three health checks,
/// less than the quiet period); the agent is registered here, not running, and its failure is
/// <see cref="ShardFailureCategory.ProgressionOutOfOrder"/>; its progression has not moved since the failure was
/// first seen (a live copy anywhere would move it) while events are waiting for it. The restart stops and starts
/// the same registered agent (as Wolverine's own stall restart does), so the assignment never leaves this node.</para>
/// </summary>
/// <remarks>Wall-clock time throughout (not the app's TimeProvider, which tests move): the daemon runs in real time.</remarks>
public sealed class DaemonShardWatchdog(IWolverineRuntime runtime, IDocumentStore store,
    ILogger<DaemonShardWatchdog> logger) : BackgroundService
{
    private readonly Dictionary<Uri, StalledShard> _stalled = new();
    // One check at a time: the timer's and any caller's (the tests) share what was seen.
    private readonly SemaphoreSlim _checking = new(1, 1);

    /// <summary>How long a stopped shard must stay still before it is restarted: the stale-node timeout (20 s).</summary>
    public TimeSpan QuietPeriod => runtime.Options.Durability.StaleNodeTimeout;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(runtime.Options.Durability.HealthCheckPollingTime);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await CheckAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // PostgreSQL unreachable, most likely: nothing to decide until it is back.
                logger.LogDebug(e, "Checking the daemon's agents failed; trying again at the next health check");
            }
        }
    }

    public async Task CheckAsync(CancellationToken ct)
    {
        await _checking.WaitAsync(ct);
        try
        {
            await CheckOnceAsync(ct);
        }
        finally
        {
            _checking.Release();
        }
    }

    private async Task CheckOnceAsync(CancellationToken ct)
    {
        var state = await runtime.Storage.Nodes.LoadNodeAgentStateAsync(ct);
        var self = state.Nodes.FirstOrDefault(n => n.NodeId == runtime.Options.UniqueNodeId);
        var candidates = new List<(Uri Uri, IEventSubscriptionAgent Agent)>();
        foreach (var uri in self?.ActiveAgents ?? [])
        {
            if (runtime.Agents.TryFindActiveAgent<IEventSubscriptionAgent>(uri, out var agent)
                && agent.Status != AgentStatus.Running && !agent.IsRebuilding
                && agent.Failure?.Category == ShardFailureCategory.ProgressionOutOfOrder)
            {
                candidates.Add((uri, agent));
            }
        }
        foreach (var gone in _stalled.Keys.Where(u => candidates.All(c => c.Uri != u)).ToArray()) _stalled.Remove(gone);
        if (candidates.Count == 0) return;

        var progress = await store.Advanced.AllProjectionProgress(token: ct);
        var lastEvent = (await store.Advanced.FetchEventStoreStatistics(token: ct)).EventSequenceNumber;
        var now = DateTimeOffset.UtcNow;
        foreach (var (uri, agent) in candidates)
        {
            var shard = progress.FirstOrDefault(p => ShardMatches(p.ShardName, uri));
            if (shard is null) continue;
            _stalled.TryGetValue(uri, out var seen);
            var next = StalledShard.Observe(seen, shard.Sequence, now);
            _stalled[uri] = next;
            if (!next.ShouldRestart(shard.Sequence, lastEvent, now, QuietPeriod)) continue;

            logger.LogWarning("Agent {AgentUri} has been stopped here by {Failure} for {Stalled} with its progression at {Sequence} of {LastEvent} and its assignment on this node: no other copy runs it, restarting it in place",
                uri, agent.Failure?.Category, now - next.Since, shard.Sequence, lastEvent);
            _stalled.Remove(uri);
            await agent.StopAsync(ct);
            await agent.StartAsync(ct);
        }
    }

    /// <summary>Marten's shard name (<c>PortfolioEntry:All</c>) against the agent's URI (<c>…/portfolioentry/all</c>).</summary>
    public static bool ShardMatches(string shardName, Uri agentUri)
    {
        var segments = agentUri.AbsolutePath.Trim('/').Split('/');
        return segments.Length >= 2 && string.Equals(shardName.Replace(':', '/'),
            $"{segments[^2]}/{segments[^1]}", StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>A stopped shard as first seen at <see cref="Sequence"/>: restartable once it has not moved for a quiet period.</summary>
public sealed record StalledShard(long Sequence, DateTimeOffset Since)
{
    /// <summary>The same shard seen again: still at the same sequence keeps the first sighting, a move starts over.</summary>
    public static StalledShard Observe(StalledShard? previous, long sequence, DateTimeOffset now) =>
        previous is not null && previous.Sequence == sequence ? previous : new StalledShard(sequence, now);

    public bool ShouldRestart(long sequence, long lastEvent, DateTimeOffset now, TimeSpan quietPeriod) =>
        sequence == Sequence && sequence < lastEvent && now - Since >= quietPeriod;
}

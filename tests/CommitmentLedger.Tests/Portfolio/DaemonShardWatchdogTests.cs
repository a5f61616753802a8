using CommitmentLedger.Infrastructure;
using CommitmentLedger.Tests.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CommitmentLedger.Tests.Portfolio;

/// <summary>When a daemon shard stopped by ProgressionOutOfOrder may be restarted (README, "Fault drills").</summary>
public class DaemonShardWatchdogDecisionTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(20);

    [Fact]
    public void A_shard_still_at_the_same_sequence_with_events_waiting_is_restarted_after_the_quiet_period()
    {
        var first = StalledShard.Observe(null, 40, T0);
        first.ShouldRestart(40, 45, T0.AddSeconds(19), Quiet).ShouldBeFalse();
        var again = StalledShard.Observe(first, 40, T0.AddSeconds(20));
        again.ShouldBeSameAs(first);
        again.ShouldRestart(40, 45, T0.AddSeconds(20), Quiet).ShouldBeTrue();
    }

    [Fact]
    public void A_shard_that_moved_since_it_was_first_seen_starts_over_another_copy_is_running_it()
    {
        var first = StalledShard.Observe(null, 40, T0);
        var moved = StalledShard.Observe(first, 43, T0.AddSeconds(25));
        moved.ShouldBe(new StalledShard(43, T0.AddSeconds(25)));
        moved.ShouldRestart(43, 45, T0.AddSeconds(25), Quiet).ShouldBeFalse();
        first.ShouldRestart(43, 45, T0.AddSeconds(25), Quiet).ShouldBeFalse();
    }

    [Fact]
    public void A_shard_with_no_event_waiting_is_left_alone_nothing_would_show_another_copy()
    {
        var first = StalledShard.Observe(null, 45, T0);
        first.ShouldRestart(45, 45, T0.AddMinutes(5), Quiet).ShouldBeFalse();
    }

    [Theory]
    [InlineData("PortfolioEntry:All", "event-subscriptions://marten/main/127!0!0!1.faults/portfolioentry/all", true)]
    [InlineData("Webhooks:All", "event-subscriptions://marten/main/127!0!0!1.faults/webhooks/all", true)]
    [InlineData("Webhooks:All", "event-subscriptions://marten/main/127!0!0!1.faults/portfolioentry/all", false)]
    [InlineData("HighWaterMark", "event-subscriptions://marten/main/127!0!0!1.faults/portfolioentry/all", false)]
    public void Marten_shard_names_match_Wolverine_agent_uris(string shard, string uri, bool matches) =>
        DaemonShardWatchdog.ShardMatches(shard, new Uri(uri)).ShouldBe(matches);
}

/// <summary>The watchdog runs in the service and a check against the real stores finds nothing to restart.</summary>
public class DaemonShardWatchdogTests(AppFixture fixture) : LedgerContext(fixture)
{
    [Fact]
    public async Task The_watchdog_is_hosted_and_a_check_on_a_healthy_daemon_restarts_nothing()
    {
        var watchdog = Host.Services.GetServices<IHostedService>().OfType<DaemonShardWatchdog>().ShouldHaveSingleItem();
        await Host.Create(Samples.Commitment());
        await Should.NotThrowAsync(() => watchdog.CheckAsync(CancellationToken.None));
    }
}

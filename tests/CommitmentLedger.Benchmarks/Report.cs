using System.Globalization;
using System.Text;

namespace CommitmentLedger.Benchmarks;

/// <summary>The Markdown entry appended to RESULTS.md, with a bar chart of each figure against its target.</summary>
public static class Report
{
    private sealed record Target(string Name, double Value, double Goal, bool AtLeast, string Unit = "x");

    public static string Markdown(Figures f, MachineFacts m, BenchOptions o, DateTimeOffset when)
    {
        var s = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        s.AppendLine(inv, $"## {when:yyyy-MM-dd HH:mm} UTC · commit {m.Commit} · {(o.Quick ? "quick" : "full")}");
        s.AppendLine();
        s.AppendLine(inv, $"{m.Cores} cores · PostgreSQL {m.PostgresVersion} · synchronous_commit={m.SynchronousCommit} · " +
                          $"shared_buffers={m.SharedBuffers} · pg_test_fsync one 8 kB write (fdatasync): " +
                          $"{(m.FsyncWritesPerSecond is { } rate ? rate.ToString("N0", inv) + "/s" : "n/a")} · " +
                          $"{o.LargeCommitments:N0} commitments × {o.EventsPerCommitment} events = {o.LargeEvents:N0} events · " +
                          $"{o.Rounds} A/B rounds of {o.RunLength.TotalSeconds:0.#} s, medians");
        s.AppendLine();
        s.AppendLine("| figure | ledger | raw PostgreSQL | ratio | target |");
        s.AppendLine("|---|---:|---:|---:|---|");
        s.AppendLine(inv, $"| P1 append, 1 client (per s) | {f.AppendHttpC1:N0} | {f.AppendRawC1:N0} | {f.P1RatioC1:0.00}x | — |");
        s.AppendLine(inv, $"| P1 append, 8 clients (per s) | {f.AppendHttpC8:N0} | {f.AppendRawC8:N0} | {f.P1RatioC8:0.00}x | ≥ 0.5x |");
        s.AppendLine(inv, $"| P2 read by id, 8 clients (per s) | {f.ReadHttp:N0} | {f.ReadRaw:N0} | {f.P2ReadRatio:0.00}x | ≥ 0.7x |");
        s.AppendLine(inv, $"| P2 read at {o.FixedRate}/s: p50 / p99 ms | {f.ReadHttpFixed.P50Ms:0.00} / {f.ReadHttpFixed.P99Ms:0.00} | " +
                          $"{f.ReadRawFixed.P50Ms:0.00} / {f.ReadRawFixed.P99Ms:0.00} | p99 {f.P2P99Ratio:0.00}x | p99 ≤ 2x and < 5 ms |");
        s.AppendLine(inv, $"| (the harness sent up to {Math.Max(f.ReadHttpFixed.SendLateP99Ms, f.ReadRawFixed.SendLateP99Ms):0.00} ms late, p99; counted in both latencies) | | | | |");
        s.AppendLine(inv, $"| P3 history p50 ms, {o.SmallEvents:N0} → {o.LargeEvents:N0} events | {f.HistorySmallMs:0.00} → {f.HistoryLargeMs:0.00} | | {f.P3HistoryRatio:0.00}x | ≤ 1.2x |");
        s.AppendLine(inv, $"| P3 asOf p50 ms | {f.AsOfSmallMs:0.00} → {f.AsOfLargeMs:0.00} | | {f.P3AsOfRatio:0.00}x | ≤ 1.2x |");
        s.AppendLine(inv, $"| P3 validAt p50 ms | {f.ValidAtSmallMs:0.00} → {f.ValidAtLargeMs:0.00} | | {f.P3ValidAtRatio:0.00}x | ≤ 1.2x |");
        s.AppendLine(inv, $"| P3 list with filter p50 ms | {f.ListSmallMs:0.00} → {f.ListLargeMs:0.00} | | {f.P3ListRatio:0.00}x | ≤ 1.2x |");
        s.AppendLine(inv, $"| P4 `rebuild`, writing every view (events per s) | {f.RebuildEventsPerSecond:N0} | {f.RawReadEventsPerSecond:N0} | {f.P4RebuildRatio:0.00}x | ≥ 0.5x |");
        s.AppendLine(inv, $"| P4 `rebuild` again, views already right: reads, folds, compares (events per s) | {f.RebuildAlreadyRightEventsPerSecond:N0} | {f.RawReadEventsPerSecond:N0} | {f.P4AlreadyRightRatio:0.00}x | — |");
        s.AppendLine(inv, $"| P5 service peak RSS under the P1/P2 loads (MiB) | {f.PeakRssMiB:0} | | | ≤ 250 |");
        s.AppendLine(inv, $"| (service peak RSS by phase, MiB: {string.Join("; ", f.PeakRssByPhase.Select(p => $"{p.Key} {p.Value:0}"))}) | | | | |");
        s.AppendLine(inv, $"| Hash chain: append cost, 8 clients (per s) | {f.AppendChained:N0} chained | {f.AppendUnchained:N0} unchained | {f.ChainAppendCost:P0} slower | ≤ 10% |");
        s.AppendLine(inv, $"| Hash chain: verify (events per s) | {f.VerifyEventsPerSecond:N0} | {f.RawReadEventsPerSecond:N0} | {f.VerifyRatio:0.00}x | ≥ 0.5x |");
        s.AppendLine();
        s.AppendLine("Ceilings, measured in the same rotation: what the ratio could reach if one layer cost nothing; and P4's references.");
        s.AppendLine();
        s.AppendLine("| ceiling | per s | ratio to raw | bounds |");
        s.AppendLine("|---|---:|---:|---|");
        s.AppendLine(inv, $"| P1 append through Marten in-process, no HTTP, 1 client | {f.AppendMartenC1:N0} | {f.AppendMartenC1 / f.AppendRawC1:0.00}x | P1 c1 |");
        s.AppendLine(inv, $"| P1 append through Marten in-process, no HTTP, 8 clients | {f.AppendMartenC8:N0} | {f.P1MartenCeilingC8:0.00}x | P1 c8 |");
        s.AppendLine(inv, $"| P2 `GET /health` (HTTP + one `select 1`), 8 clients | {f.ReadHttpCeiling:N0} | {f.P2HttpCeiling:0.00}x | P2 |");
        s.AppendLine(inv, $"| P4 Marten's event reader alone, stream order, nothing folded or written (events per s) | {f.MartenReadEventsPerSecond:N0} | {f.P4ReaderCeiling:0.00}x | P4 |");
        s.AppendLine(inv, $"| Marten projections rebuild (events per s) | {f.MartenRebuildEventsPerSecond:N0} | {f.P4MartenRatio:0.00}x | P4 |");
        s.AppendLine();
        s.AppendLine("```");
        s.Append(Chart(f));
        s.AppendLine("```");
        s.AppendLine();
        s.AppendLine("<details><summary>Query plans at the large size</summary>");
        s.AppendLine();
        s.AppendLine("```");
        s.AppendLine(f.Plans.TrimEnd());
        s.AppendLine("```");
        s.AppendLine("</details>");
        s.AppendLine();
        return s.ToString();
    }

    /// <summary>One bar per figure; '|' marks the target, '✓' or '✗' says whether it is met.</summary>
    public static string Chart(Figures f)
    {
        Target[] targets =
        [
            new("P1 append c8 / raw", f.P1RatioC8, 0.5, true),
            new("P1 append c1 / raw", f.P1RatioC1, 0.5, true),
            new("P2 read / raw", f.P2ReadRatio, 0.7, true),
            new("P2 p99 / raw p99", f.P2P99Ratio, 2.0, false),
            new("P2 p99 ms", f.ReadHttpFixed.P99Ms, 5.0, false, " ms"),
            new("P3 history 1M/10k", f.P3HistoryRatio, 1.2, false),
            new("P3 asOf 1M/10k", f.P3AsOfRatio, 1.2, false),
            new("P3 validAt 1M/10k", f.P3ValidAtRatio, 1.2, false),
            new("P3 list 1M/10k", f.P3ListRatio, 1.2, false),
            new("P4 rebuild / raw", f.P4RebuildRatio, 0.5, true),
            new("P5 peak RSS MiB", f.PeakRssMiB, 250, false, " MiB"),
            new("chain append cost", f.ChainAppendCost, 0.10, false),
            new("verify / raw read", f.VerifyRatio, 0.5, true),
        ];
        const int width = 40;
        var s = new StringBuilder();
        foreach (var t in targets)
        {
            var scale = Math.Max(t.Goal * 2, double.IsFinite(t.Value) ? t.Value : 0);
            var filled = double.IsFinite(t.Value) ? (int)Math.Round(Math.Clamp(t.Value / scale, 0, 1) * width) : 0;
            var goalAt = (int)Math.Round(t.Goal / scale * width);
            var bar = new char[width + 1];
            for (var i = 0; i <= width; i++) bar[i] = i < filled ? '█' : '·';
            bar[Math.Min(goalAt, width)] = '|';
            var met = t.AtLeast ? t.Value >= t.Goal : t.Value <= t.Goal;
            s.AppendLine(CultureInfo.InvariantCulture,
                $"{t.Name,-20} {new string(bar)} {t.Value,8:0.00}{t.Unit} {(met ? "✓" : "✗")} target {(t.AtLeast ? "≥" : "≤")} {t.Goal}{t.Unit}");
        }
        return s.ToString();
    }
}

namespace CommitmentLedger.Benchmarks;

/// <summary>Medians of the A/B rounds; every ratio is ledger ÷ raw PostgreSQL (or large ÷ small for P3).</summary>
public sealed class Figures
{
    public double AppendHttpC1 { get; set; }
    public double AppendRawC1 { get; set; }
    public double AppendHttpC8 { get; set; }
    public double AppendRawC8 { get; set; }
    /// <summary>Ceilings: the same work without the HTTP layer (P1) or without Marten (P2), to show what bounds each ratio.</summary>
    public double AppendMartenC1 { get; set; }
    public double AppendMartenC8 { get; set; }
    public double ReadHttpCeiling { get; set; }
    public double ReadHttp { get; set; }
    public double ReadRaw { get; set; }
    public Latencies ReadHttpFixed { get; set; } = new(0, 0, 0, 0, 0);
    public Latencies ReadRawFixed { get; set; } = new(0, 0, 0, 0, 0);
    public double HistorySmallMs { get; set; }
    public double HistoryLargeMs { get; set; }
    public double AsOfSmallMs { get; set; }
    public double AsOfLargeMs { get; set; }
    public double ValidAtSmallMs { get; set; }
    public double ValidAtLargeMs { get; set; }
    public double ListSmallMs { get; set; }
    public double ListLargeMs { get; set; }
    /// <summary>The service's <c>rebuild</c> on an emptied view table: it computes and writes every view (P4).</summary>
    public double RebuildEventsPerSecond { get; set; }
    /// <summary>The service's <c>rebuild</c> again, every view already right: it reads, folds and compares, writes none.</summary>
    public double RebuildAlreadyRightEventsPerSecond { get; set; }
    /// <summary>Marten's <c>projections -p Commitment rebuild</c>, for reference.</summary>
    public double MartenRebuildEventsPerSecond { get; set; }
    public double RawReadEventsPerSecond { get; set; }
    /// <summary>P4's ceiling: Marten's event reader alone, in stream order, nothing folded or written.</summary>
    public double MartenReadEventsPerSecond { get; set; }
    /// <summary>The phase of the P1/P2 loads, whose peak RSS is P5.</summary>
    public const string LoadsPhase = "the P2 and P1 loads (P5)";
    /// <summary>Peak RSS of each phase of the run, in run order.</summary>
    public Dictionary<string, double> PeakRssByPhase { get; } = new();
    /// <summary>Peak RSS during the P1/P2 loads (P5).</summary>
    public double PeakRssMiB => PeakRssByPhase.GetValueOrDefault(LoadsPhase);
    /// <summary>Peak RSS before the loads: start-up, the async daemon projecting the bulk load, P3 and P4.</summary>
    public double PeakRssBeforeLoadsMiB => PeakRssByPhase.Where(p => p.Key != LoadsPhase).Select(p => p.Value).DefaultIfEmpty().Max();
    public double VerifyEventsPerSecond { get; set; }
    public double AppendChained { get; set; }
    public double AppendUnchained { get; set; }
    public string Plans { get; set; } = "";

    public double P1RatioC1 => AppendHttpC1 / AppendRawC1;
    public double P1RatioC8 => AppendHttpC8 / AppendRawC8;
    public double P2ReadRatio => ReadHttp / ReadRaw;
    /// <summary>The share of append throughput the hash chain costs (issue 5: at most 0.10).</summary>
    public double ChainAppendCost => 1 - AppendChained / AppendUnchained;
    public double VerifyRatio => VerifyEventsPerSecond / RawReadEventsPerSecond;
    public double P1MartenCeilingC8 => AppendMartenC8 / AppendRawC8;
    public double P2HttpCeiling => ReadHttpCeiling / ReadRaw;
    public double P2P99Ratio => ReadHttpFixed.P99Ms / ReadRawFixed.P99Ms;
    public double P3HistoryRatio => HistoryLargeMs / HistorySmallMs;
    public double P3AsOfRatio => AsOfLargeMs / AsOfSmallMs;
    public double P3ValidAtRatio => ValidAtLargeMs / ValidAtSmallMs;
    public double P3ListRatio => ListLargeMs / ListSmallMs;
    public double P4RebuildRatio => RebuildEventsPerSecond / RawReadEventsPerSecond;
    public double P4AlreadyRightRatio => RebuildAlreadyRightEventsPerSecond / RawReadEventsPerSecond;
    public double P4MartenRatio => MartenRebuildEventsPerSecond / RawReadEventsPerSecond;
    public double P4ReaderCeiling => MartenReadEventsPerSecond / RawReadEventsPerSecond;

    public Dictionary<string, double> Summary() => new()
    {
        ["p1_append_ratio_c8"] = Round(P1RatioC8),
        ["p1_append_ratio_c1"] = Round(P1RatioC1),
        ["p2_read_ratio"] = Round(P2ReadRatio),
        ["p2_p99_ms"] = Round(ReadHttpFixed.P99Ms),
        ["p2_p99_ratio"] = Round(P2P99Ratio),
        ["p3_history_ratio"] = Round(P3HistoryRatio),
        ["p3_asof_ratio"] = Round(P3AsOfRatio),
        ["p3_validat_ratio"] = Round(P3ValidAtRatio),
        ["p3_list_ratio"] = Round(P3ListRatio),
        ["p4_rebuild_ratio"] = Round(P4RebuildRatio),
        ["p4_rebuild_views_already_right_ratio"] = Round(P4AlreadyRightRatio),
        ["p4_marten_rebuild_ratio"] = Round(P4MartenRatio),
        ["p5_peak_rss_mib"] = Math.Round(PeakRssMiB, 1),
        ["p5_peak_rss_before_loads_mib"] = Math.Round(PeakRssBeforeLoadsMiB, 1),
        ["p2_send_late_p99_ms"] = Round(Math.Max(ReadHttpFixed.SendLateP99Ms, ReadRawFixed.SendLateP99Ms)),
        ["p1_marten_ceiling_ratio_c8"] = Round(P1MartenCeilingC8),
        ["p2_http_ceiling_ratio"] = Round(P2HttpCeiling),
        ["p4_marten_reader_ceiling_ratio"] = Round(P4ReaderCeiling),
        ["chain_append_cost"] = Round(ChainAppendCost),
        ["verify_ratio"] = Round(VerifyRatio),
    };

    private static double Round(double value) => double.IsFinite(value) ? Math.Round(value, 3) : -1;
}

namespace CommitmentLedger.Benchmarks;

/// <summary>What to run: <c>--quick</c> (small N, CI smoke), <c>--json</c>, <c>--no-record</c>, sizes and durations.</summary>
public sealed record BenchOptions(
    bool Quick,
    bool Json,
    bool Record,
    int SmallCommitments,
    int LargeCommitments,
    int EventsPerCommitment,
    TimeSpan RunLength,
    int Rounds,
    int FixedRate,
    int PgPort)
{
    public int SmallEvents => SmallCommitments * EventsPerCommitment;
    public int LargeEvents => LargeCommitments * EventsPerCommitment;

    public static BenchOptions Parse(string[] args)
    {
        var quick = args.Contains("--quick");
        int Int(string name, int fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var value) ? value : fallback;
        }
        double Double(string name, double fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length &&
                   double.TryParse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : fallback;
        }
        return new BenchOptions(
            Quick: quick,
            Json: args.Contains("--json"),
            Record: !args.Contains("--no-record"),
            SmallCommitments: Int("--small", quick ? 100 : 1_000),
            LargeCommitments: Int("--commitments", quick ? 1_000 : 100_000),
            EventsPerCommitment: Int("--events", 10),
            // Quick: 1.5 s per load run keeps the whole quick run under two minutes (51 load runs).
            RunLength: TimeSpan.FromSeconds(Double("--seconds", quick ? 1.5 : 8)),
            Rounds: Math.Max(3, Int("--rounds", 3)),
            FixedRate: Int("--rate", 1_000),
            PgPort: int.TryParse(Environment.GetEnvironmentVariable("LEDGER_PG_PORT"), out var port) ? port : 5544);
    }
}

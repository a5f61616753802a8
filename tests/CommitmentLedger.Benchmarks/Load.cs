using System.Diagnostics;

namespace CommitmentLedger.Benchmarks;

/// <summary>Latencies of an open-loop run; <c>SendLateP99Ms</c> is how late the harness itself sent (its floor).</summary>
public sealed record Latencies(double P50Ms, double P99Ms, int Count, int Errors, double Throughput, double SendLateP99Ms = 0);

/// <summary>The two ways load is applied: as fast as <c>clients</c> can go, or at a fixed rate (open loop).</summary>
public static class Load
{
    /// <summary>Each client runs operations back to back for the duration; returns completed operations per second.</summary>
    public static async Task<double> ClosedLoop(int clients, TimeSpan duration, Func<int, long, Task> operation)
    {
        long completed = 0;
        var stopwatch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
        {
            long n = 0;
            while (stopwatch.Elapsed < duration)
            {
                await operation(client, n++);
                Interlocked.Increment(ref completed);
            }
        }));
        await Task.WhenAll(workers);
        return completed / stopwatch.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Sends at a fixed rate whatever the answers take, and times each operation from when it was meant to be
    /// sent, so a stall shows up in the latencies instead of silently lowering the rate (no coordinated omission).
    /// A dedicated thread paces the sends with Thread.Sleep (about 1 ms late at worst on Linux): Task.Delay's timer
    /// and thread-pool hops made sends several ms late, which the latencies then counted as the server's.
    /// How late the sends actually went is returned, so the harness's own floor is on record.
    /// </summary>
    public static async Task<Latencies> OpenLoop(int perSecond, TimeSpan duration, Func<long, Task> operation)
    {
        var total = (int)(perSecond * duration.TotalSeconds);
        var latencies = new double[total];
        var lateness = new double[total];
        var errors = 0;
        var inFlight = new Task[total];
        var stopwatch = Stopwatch.StartNew();
        var sender = new Thread(() =>
        {
            for (var i = 0; i < total; i++)
            {
                var intended = TimeSpan.FromSeconds((double)i / perSecond);
                while (intended - stopwatch.Elapsed > TimeSpan.Zero)
                {
                    Thread.Sleep(1);
                }
                lateness[i] = (stopwatch.Elapsed - intended).TotalMilliseconds;
                inFlight[i] = Timed(i, intended);
            }
        }) { IsBackground = true, Name = "open-loop sender" };
        sender.Start();
        await Task.Run(sender.Join);
        await Task.WhenAll(inFlight);
        var elapsed = stopwatch.Elapsed.TotalSeconds;
        Array.Sort(latencies);
        Array.Sort(lateness);
        return new Latencies(Percentile(latencies, 0.50), Percentile(latencies, 0.99), total, errors, total / elapsed,
            Percentile(lateness, 0.99));

        async Task Timed(long index, TimeSpan intended)
        {
            try
            {
                await operation(index);
            }
            catch
            {
                Interlocked.Increment(ref errors);
            }
            latencies[index] = (stopwatch.Elapsed - intended).TotalMilliseconds;
        }
    }

    public static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[(int)Math.Round(p * (sorted.Count - 1))];

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>p50 of a request made one after another, after an equal warm-up.</summary>
    public static async Task<double> SequentialP50(int count, Func<int, Task> operation)
    {
        for (var i = 0; i < count; i++) await operation(i); // warm-up as long as the measurement: JIT and caches
        var times = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            await operation(i);
            times.Add(stopwatch.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return Percentile(times, 0.5);
    }
}

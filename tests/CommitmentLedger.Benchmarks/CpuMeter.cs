using System.Diagnostics;

namespace CommitmentLedger.Benchmarks;

/// <summary>
/// CPU time spent by PostgreSQL (every process named postgres) and by this process over a load run, from /proc:
/// what each operation costs each side, whatever the wall clock says on a machine whose cores they share.
/// </summary>
public sealed class CpuMeter
{
    private const double TicksPerSecond = 100; // USER_HZ (getconf CLK_TCK) on Linux
    private readonly TimeSpan _self = Process.GetCurrentProcess().TotalProcessorTime;
    private readonly double _postgresSeconds = PostgresSeconds();

    /// <summary>Microseconds of CPU per operation since this meter started: PostgreSQL's and this process's.</summary>
    public (double PostgresUs, double SelfUs) PerOperation(double operations) =>
        ((PostgresSeconds() - _postgresSeconds) * 1e6 / operations,
         (Process.GetCurrentProcess().TotalProcessorTime - _self).TotalMicroseconds / operations);

    private static double PostgresSeconds()
    {
        long ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // pid (comm) state ... ; utime and stime are fields 14 and 15, counted after the closing parenthesis.
                var close = stat.LastIndexOf(')');
                if (close < 0 || !stat.AsSpan(stat.IndexOf('(') + 1, close - stat.IndexOf('(') - 1).StartsWith("postgres")) continue;
                var fields = stat[(close + 2)..].Split(' ');
                ticks += long.Parse(fields[11]) + long.Parse(fields[12]);
            }
            catch (IOException)
            {
                // The process ended between listing and reading.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return ticks / TicksPerSecond;
    }
}

using System.Diagnostics;
using System.Text.RegularExpressions;
using Npgsql;

namespace CommitmentLedger.Benchmarks;

/// <summary>What a figure depends on, recorded with every run.</summary>
public sealed partial record MachineFacts(
    int Cores,
    string PostgresVersion,
    string SynchronousCommit,
    string SharedBuffers,
    double? FsyncWritesPerSecond,
    string Commit)
{
    public static async Task<MachineFacts> Collect(NpgsqlDataSource database, string repo)
    {
        async Task<string> Setting(string sql)
        {
            await using var command = database.CreateCommand(sql);
            return (string)(await command.ExecuteScalarAsync())!;
        }
        return new MachineFacts(
            Environment.ProcessorCount,
            await Setting("show server_version"),
            await Setting("show synchronous_commit"),
            await Setting("show shared_buffers"),
            await FsyncRate(),
            await Run("git", "-C " + repo + " describe --always --dirty") ?? "unknown");
    }

    /// <summary>pg_test_fsync's rate for one 8 kB write with fdatasync, PostgreSQL's default WAL sync on Linux.</summary>
    private static async Task<double?> FsyncRate()
    {
        var bin = (await Run("pg_config", "--bindir"))?.Trim();
        var tool = new[] { bin is null ? null : Path.Combine(bin, "pg_test_fsync"), "/usr/lib/postgresql/15/bin/pg_test_fsync" }
            .FirstOrDefault(File.Exists);
        if (tool is null) return null;
        var file = Path.Combine(Path.GetTempPath(), $"cl-bench-fsync-{Environment.ProcessId}");
        try
        {
            var output = await Run(tool, $"-s 1 -f {file}", TimeSpan.FromSeconds(90));
            var match = output is null ? Match.Empty : FdatasyncLine().Match(output);
            return match.Success ? double.Parse(match.Groups["rate"].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
        }
        finally
        {
            File.Delete(file);
        }
    }

    [GeneratedRegex(@"one 8kB write[\s\S]*?fdatasync\s+(?<rate>[0-9.]+) ops/sec")]
    private static partial Regex FdatasyncLine();

    private static async Task<string?> Run(string file, string arguments, TimeSpan? timeout = null)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, arguments)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var output = process.StandardOutput.ReadToEndAsync();
            using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(cancel.Token);
            return process.ExitCode == 0 ? (await output).Trim() : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or OperationCanceledException)
        {
            return null;
        }
    }
}

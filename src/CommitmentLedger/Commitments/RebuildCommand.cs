using System.Globalization;
using JasperFx.CommandLine;
using Marten;

namespace CommitmentLedger.Commitments;

public class RebuildInput : NetCoreInput;

[Description("Recompute every commitment view (mt_doc_commitment) from the events in one transaction, fast; safe while the service runs", Name = "rebuild")]
public class RebuildCommand : JasperFxAsyncCommand<RebuildInput>
{
    public override async Task<bool> Execute(RebuildInput input)
    {
        using var host = input.BuildHost();
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var result = await CommitmentViewRebuild.RunAsync(store, new TenthsOnStandardError(), CancellationToken.None);
        Console.Error.WriteLine($"{result.Written:N0} rows written (view missing or changed), {result.Removed:N0} deleted " +
                                $"(changed or without a stream); the other {result.Views - result.Written:N0} were already right" +
                                (result.TableReplaced ? "; so many differed that the rebuilt views replaced the whole table" : ""));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Rebuilt {result.Views} commitment views from {result.Events} events in {result.Elapsed.TotalMilliseconds:0} ms ({result.EventsPerSecond:0} events/s)"));
        return true;
    }

    /// <summary>A line at the start and at each further tenth of the streams.</summary>
    private sealed class TenthsOnStandardError : IProgress<RebuildProgress>
    {
        private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
        private long _lastTenth = -1;

        public void Report(RebuildProgress value)
        {
            if (value.Step is { } step)
            {
                Console.Error.WriteLine($"{step} ({_clock.Elapsed.TotalSeconds:0.0} s)");
                return;
            }
            var tenth = value.Streams == 0 ? 10 : 10 * value.Views / value.Streams;
            if (tenth <= _lastTenth) return;
            _lastTenth = tenth;
            var percent = value.Streams == 0 ? 100 : 100 * value.Views / value.Streams;
            Console.Error.WriteLine($"rebuilt {value.Views:N0} of {value.Streams:N0} streams ({percent}%, {_clock.Elapsed.TotalSeconds:0.0} s)");
        }
    }
}

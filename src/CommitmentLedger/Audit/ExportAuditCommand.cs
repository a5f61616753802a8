using CommitmentLedger.Infrastructure;
using JasperFx.CommandLine;
using Marten;

namespace CommitmentLedger.Audit;

public class ExportAuditInput : NetCoreInput
{
    [Description("Path of the JSON Lines file to write (replaced if it exists)")]
    public string File { get; set; } = "";

    [Description("Start of the recording window, RFC 3339 (inclusive; default: the beginning)")]
    public string? FromFlag { get; set; }

    [Description("End of the recording window, RFC 3339 (exclusive; default: now)")]
    public string? ToFlag { get; set; }
}

[Description("Write every entry recorded in a window as JSON Lines to a file, as GET /api/audit does", Name = "export-audit")]
public class ExportAuditCommand : JasperFxAsyncCommand<ExportAuditInput>
{
    public override async Task<bool> Execute(ExportAuditInput input)
    {
        var errors = new FieldErrors();
        if (AuditWindow.Parse(input.FromFlag, input.ToFlag, DateTimeOffset.UtcNow, errors) is not { } window)
        {
            foreach (var (field, messages) in errors.ToDictionary())
            {
                Console.Error.WriteLine($"export-audit: --{field}: {string.Join("; ", messages)}");
            }
            return false;
        }
        using var host = input.BuildHost();
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var path = Path.GetFullPath(input.File);
        var written = await AuditFile.WriteAsync(store, path, window, new ConsoleProgress(), CancellationToken.None);
        Console.WriteLine($"Wrote {written:N0} entries to {path}");
        return true;
    }

    /// <summary>One line rewritten in place on a terminal, a line per page otherwise (logs, CI).</summary>
    private sealed class ConsoleProgress : IProgress<(long Written, long Total)>
    {
        public void Report((long Written, long Total) value)
        {
            var percent = value.Total == 0 ? 100 : 100 * value.Written / value.Total;
            var text = $"exported {value.Written:N0} of {value.Total:N0} entries ({percent}%)";
            if (Console.IsOutputRedirected) Console.WriteLine(text);
            else Console.Write($"\r{text}{(value.Written >= value.Total ? Environment.NewLine : "")}");
        }
    }
}

/// <summary>The export to a file, with progress against the window's count taken first.</summary>
public static class AuditFile
{
    public static async Task<long> WriteAsync(IDocumentStore store, string path, AuditWindow window,
        IProgress<(long Written, long Total)> progress, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var total = await AuditLog.CountAsync(session, window, ct);
        progress.Report((0, total));
        await using var file = File.Create(path);
        return await AuditLog.WriteAsync(session, window, file, written => progress.Report((written, Math.Max(total, written))), ct);
    }
}

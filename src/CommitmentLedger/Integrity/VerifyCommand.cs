using System.Diagnostics;
using System.Text.Json;
using JasperFx.CommandLine;
using Marten;
using Npgsql;

namespace CommitmentLedger.Integrity;

public class VerifyInput : NetCoreInput
{
    [Description("A receipt from `seal` or POST /api/checkpoints: the ledger must still give its digest")]
    public string? ReceiptFlag { get; set; }

    [Description("Check a JSON Lines audit export offline, without the database")]
    public string? ExportFlag { get; set; }
}

[Description("Verify the whole ledger: every hash chain re-computed from content, every checkpoint, optionally a receipt", Name = "verify")]
public class VerifyCommand : JasperFxAsyncCommand<VerifyInput>
{
    public override async Task<bool> Execute(VerifyInput input)
    {
        return input.ExportFlag is { } export ? await VerifyExport(export) : await VerifyLedger(input);
    }

    private static async Task<bool> VerifyExport(string path)
    {
        if (!File.Exists(path))
        {
            Console.Error.WriteLine($"verify: no such file: {Path.GetFullPath(path)}");
            return false;
        }
        using var reader = new StreamReader(path);
        var result = await ExportVerifier.VerifyAsync(reader, lines => Console.Error.Write($"\r  {lines:N0} lines checked"));
        Console.Error.WriteLine();
        foreach (var problem in result.Problems.Take(50)) Console.WriteLine($"  ✗ {problem}");
        Console.WriteLine(result.Valid
            ? $"VALID: {result.Lines:N0} entries of {result.Streams:N0} streams in {path} hash and link correctly."
            : $"INVALID: {result.Problems.Count:N0} problem(s) in {result.Lines:N0} entries of {path}.");
        return result.Valid;
    }

    private static async Task<bool> VerifyLedger(VerifyInput input)
    {
        CheckpointReceipt? receipt = null;
        if (input.ReceiptFlag is { } receiptFile)
        {
            try
            {
                receipt = JsonSerializer.Deserialize<CheckpointReceipt>(await File.ReadAllTextAsync(receiptFile), JsonSerializerOptions.Web);
            }
            catch (Exception e) when (e is IOException or JsonException)
            {
                Console.Error.WriteLine($"verify: cannot read the receipt {receiptFile}: {e.Message}");
                return false;
            }
            if (receipt is null || string.IsNullOrEmpty(receipt.Digest))
            {
                Console.Error.WriteLine($"verify: {receiptFile} is not a receipt (expected sequence, digest, previousDigest, sealedAt)");
                return false;
            }
        }

        using var host = input.BuildHost();
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var total = await CountEvents(store);
        var checkpoints = await LedgerVerification.StoredCheckpointsAsync(store, CancellationToken.None);
        Console.Error.WriteLine($"Verifying {total:N0} events and {checkpoints.Count} checkpoint(s){(receipt is null ? "" : " and the receipt")} ...");
        var clock = Stopwatch.StartNew();
        var result = await LedgerVerification.VerifyAsync(store, checkpoints, receipt is null ? [] : [receipt],
            progress: done => Progress(done, total, clock.Elapsed));
        Console.Error.WriteLine();

        foreach (var problem in result.Problems.Take(50))
            Console.WriteLine($"  ✗ stream {problem.StreamId} version {problem.Version}: {problem.Problem}");
        if (result.Problems.Count > 50) Console.WriteLine($"  … and {result.Problems.Count - 50:N0} more");
        foreach (var check in result.Checkpoints)
        {
            var label = receipt is not null && ReferenceEquals(check, result.Checkpoints[checkpoints.Count]) ? "receipt" : "checkpoint";
            Console.WriteLine(check.Valid ? $"  ✓ {label} {check.Sequence}: digest {check.Digest[..16]}… holds" : $"  ✗ {label} {check.Sequence}: {check.Reason}");
        }
        Console.WriteLine(result.Valid
            ? $"VALID: {result.Events:N0} events in {result.Streams:N0} streams re-hashed in {clock.Elapsed.TotalSeconds:0.0} s " +
              $"({result.Events / Math.Max(clock.Elapsed.TotalSeconds, 0.001):N0} events/s); {result.Checkpoints.Count} digest(s) hold."
            : $"INVALID: {result.Problems.Count:N0} broken link(s), {result.Checkpoints.Count(c => !c.Valid)} digest(s) that no longer hold.");
        return result.Valid;
    }

    private static TimeSpan _lastShown = TimeSpan.FromSeconds(-1);

    private static void Progress(long done, long total, TimeSpan elapsed)
    {
        if (done < total && elapsed - _lastShown < TimeSpan.FromMilliseconds(200)) return;
        _lastShown = elapsed;
        var percent = total == 0 ? 100 : 100.0 * done / total;
        var filled = (int)Math.Clamp(percent / 5, 0, 20);
        Console.Error.Write($"\r  [{new string('#', filled)}{new string('.', 20 - filled)}] {percent,5:0.0}%  {done:N0}/{total:N0} events  {elapsed.TotalSeconds:0.0} s");
    }

    private static async Task<long> CountEvents(IDocumentStore store)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"select count(*) from {store.Options.DatabaseSchemaName}.mt_events", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}

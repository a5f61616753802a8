using System.Text.Json;
using JasperFx.CommandLine;
using Marten;

namespace CommitmentLedger.Integrity;

public class SealInput : NetCoreInput
{
    [Description("Where to write the receipt (default: checkpoint-SEQUENCE.receipt.json in the current folder)")]
    public string? OutFlag { get; set; }
}

[Description("Seal every event committed so far into a checkpoint and write its receipt (JSON) to keep outside the system", Name = "seal")]
public class SealCommand : JasperFxAsyncCommand<SealInput>
{
    public override async Task<bool> Execute(SealInput input)
    {
        using var host = input.BuildHost();
        var store = host.Services.GetRequiredService<IDocumentStore>();
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await ChainBackfill.RunIfNewAsync(store, CancellationToken.None);
        var (receipt, created) = await Checkpoints.SealAsync(store, $"seal:{Environment.UserName}",
            host.Services.GetRequiredService<TimeProvider>(), CancellationToken.None);
        Console.Error.WriteLine(created
            ? $"Sealed {receipt.Events:N0} events in {receipt.Streams:N0} streams up to sequence {receipt.Sequence}."
            : $"Nothing new since checkpoint {receipt.Sequence}; its receipt:");
        var json = JsonSerializer.Serialize(receipt, JsonSerializerOptions.Web);
        var file = Path.GetFullPath(input.OutFlag ?? $"checkpoint-{receipt.Sequence}.receipt.json");
        await File.WriteAllTextAsync(file, json + Environment.NewLine);
        Console.WriteLine(json);
        Console.Error.WriteLine($"Receipt written to {file}: keep it outside this system; `verify --receipt {file}` checks it.");
        return true;
    }
}

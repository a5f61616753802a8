using System.Text.Json;
using JasperFx.CommandLine;
using Marten;

namespace CommitmentLedger.Integrity;

[Description("Seal every event committed so far into a checkpoint and print its receipt (JSON) to keep outside the system", Name = "seal")]
public class SealCommand : JasperFxAsyncCommand<NetCoreInput>
{
    public override async Task<bool> Execute(NetCoreInput input)
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
        Console.WriteLine(JsonSerializer.Serialize(receipt, JsonSerializerOptions.Web));
        return true;
    }
}

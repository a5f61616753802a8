using System.Text.Json;
using CommitmentLedger.Infrastructure;
using JasperFx.CommandLine;
using Marten;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace CommitmentLedger.Imports;

public class ImportInput : NetCoreInput
{
    [Description("Path of the import file (JSON: a source and its commitments)")]
    public string File { get; set; } = "";
}

[Description("Import a source document and its commitments from a JSON file (idempotent)", Name = "import")]
public class ImportCommand : JasperFxAsyncCommand<ImportInput>
{
    public override async Task<bool> Execute(ImportInput input)
    {
        if (!System.IO.File.Exists(input.File))
        {
            Console.Error.WriteLine($"import: no such file: {Path.GetFullPath(input.File)} (give an absolute path: dotnet run may change the working folder)");
            return false;
        }
        using var host = input.BuildHost();
        var json = host.Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        ImportFile? file;
        try
        {
            await using var stream = System.IO.File.OpenRead(input.File);
            file = await JsonSerializer.DeserializeAsync<ImportFile>(stream, json);
        }
        catch (JsonException e)
        {
            Console.Error.WriteLine($"import: {input.File} is not a valid import file: {e.Message}");
            return false;
        }

        var store = host.Services.GetRequiredService<IDocumentStore>();
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await using var session = store.LightweightSession();
        session.LastModifiedBy = $"import:{Environment.UserName}";
        Console.WriteLine($"Importing {input.File} ...");
        var outcome = await SourceImporter.Import(session, file ?? new ImportFile(),
            host.Services.GetRequiredService<TimeProvider>(), CancellationToken.None, Console.WriteLine);
        switch (outcome)
        {
            case ImportOutcome.Imported imported:
                await session.SaveChangesAsync();
                Console.WriteLine($"Done: {imported.Result.Created} created, {imported.Result.Unchanged} unchanged" +
                                  (imported.Result.Source is { } registration ? $"; source text {registration}." : "."));
                return true;
            case ImportOutcome.Invalid invalid:
                Console.Error.WriteLine("Nothing was imported. Fix these fields:");
                foreach (var (field, messages) in invalid.Errors.ToDictionary())
                {
                    Console.Error.WriteLine($"  {field}: {string.Join("; ", messages)}");
                }
                return false;
            case ImportOutcome.Conflicting conflicting:
                Console.Error.WriteLine("Nothing was imported. These refs were imported before with different content: " +
                                        string.Join(", ", conflicting.Refs));
                return false;
            case ImportOutcome.SourceConflict source:
                Console.Error.WriteLine($"Nothing was imported. Source '{source.Conflict.Existing.Id}' is registered with a different " +
                                        string.Join(", ", source.Conflict.Fields));
                return false;
            default:
                return false;
        }
    }
}

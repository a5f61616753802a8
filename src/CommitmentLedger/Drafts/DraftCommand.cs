using CommitmentLedger.Sources;
using JasperFx.CommandLine;
using Marten;

namespace CommitmentLedger.Drafts;

public class DraftInput : NetCoreInput
{
    [Description("Key of a registered source, e.g. jp-mod-2021-11-23-jp-vn-defence-ministers")]
    public string Key { get; set; } = "";
}

[Description("Print the commitments proposed from a registered source's text as a table for review (writes nothing)", Name = "draft")]
public class DraftCommand : JasperFxAsyncCommand<DraftInput>
{
    public override async Task<bool> Execute(DraftInput input)
    {
        using var host = input.BuildHost();
        var store = host.Services.GetRequiredService<IDocumentStore>();
        await using var session = store.QuerySession();
        var source = SourceKeys.IsValid(input.Key) ? await session.LoadAsync<RegisteredSource>(input.Key) : null;
        if (source is null)
        {
            Console.Error.WriteLine($"draft: no source is registered under the key '{input.Key}'");
            return false;
        }
        if (string.IsNullOrWhiteSpace(source.Text))
        {
            Console.Error.WriteLine($"draft: source '{input.Key}' has no text to draft from");
            return false;
        }
        if (DraftRules.For(source.Language) is not { } rules)
        {
            Console.Error.WriteLine($"draft: no drafting rules for '{source.Language}'; supported: {string.Join(", ", DraftRules.Supported())}");
            return false;
        }
        var drafts = Drafter.Read(source.Text, rules);
        Console.WriteLine(DraftTable.Render(drafts));
        Console.WriteLine($"{drafts.Count} drafts from '{source.Id}' ({source.Language}); nothing was recorded. " +
                          $"Accept with POST /api/sources/{source.Id}/drafts/accept.");
        return true;
    }
}

using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace CommitmentLedger.Drafts;

public sealed record VerbRule(string Id, string Strength, string Pattern, double Confidence, string? DefaultActor);

public sealed record SubjectRule(string Id, string Pattern, string Actor);

public sealed record ParentCue(string Id, string Pattern, string RefersTo);

public sealed record AreaRule(string Area, string Pattern);

/// <summary>
/// How one language's sources are read (Drafts/Rules/{language}.json, shipped with the service): a new publisher's
/// phrasing is a change to that file, not to the code.
/// </summary>
public sealed record DraftRules
{
    public string Language { get; init; } = "";
    public string Sentence { get; init; } = "";
    public string? SectionHeading { get; init; }
    /// <summary>True (Japanese) when a clause ends with its verb; false (English) when what was agreed follows the verb.</summary>
    public bool VerbFinal { get; init; } = true;
    public string? FirstSection { get; init; }
    public string[] Parties { get; init; } = [];
    public VerbRule[] Verbs { get; init; } = [];
    public SubjectRule[] Subjects { get; init; } = [];
    public string? Instrument { get; init; }
    public string? Programme { get; init; }
    public ParentCue[] ParentCues { get; init; } = [];
    public string? ActionCues { get; init; }
    public AreaRule[] Areas { get; init; } = [];
    public string DefaultArea { get; init; } = "";

    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Drafts", "Rules");

    private static readonly ConcurrentDictionary<string, DraftRules> Loaded = new(StringComparer.Ordinal);

    /// <summary>The languages with a rules file, e.g. <c>en, ja</c>.</summary>
    public static IReadOnlyList<string> Supported() => Directory.Exists(Folder)
        ? Directory.GetFiles(Folder, "*.json").Select(Path.GetFileNameWithoutExtension).OfType<string>().Order().ToList()
        : [];

    /// <summary>The rules for a language tag (its primary subtag: <c>ja-JP</c> reads as <c>ja</c>), or null when there are none.</summary>
    public static DraftRules? For(string language)
    {
        var primary = language.Split('-')[0].ToLowerInvariant();
        if (!Supported().Contains(primary))
        {
            return null;
        }
        return Loaded.GetOrAdd(primary, l => Load(Path.Combine(Folder, l + ".json")));
    }

    public static DraftRules Load(string path)
    {
        var rules = JsonSerializer.Deserialize<DraftRules>(File.ReadAllText(path), JsonSerializerOptions.Web)
                    ?? throw new InvalidOperationException($"{path} is empty");
        // A broken pattern should fail at load with the file named, not on a recorder's request.
        foreach (var pattern in new[] { rules.Sentence, rules.SectionHeading, rules.Instrument, rules.Programme, rules.ActionCues }
                     .Concat(rules.Verbs.Select(v => v.Pattern)).Concat(rules.Subjects.Select(s => s.Pattern))
                     .Concat(rules.ParentCues.Select(c => c.Pattern)).Concat(rules.Areas.Select(a => a.Pattern)).OfType<string>())
        {
            try
            {
                _ = new Regex(pattern);
            }
            catch (ArgumentException e)
            {
                throw new InvalidOperationException($"{path}: the pattern '{pattern}' is not a valid regular expression: {e.Message}");
            }
        }
        return rules;
    }
}

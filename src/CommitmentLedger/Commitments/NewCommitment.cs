using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using CommitmentLedger.Infrastructure;
using CommitmentLedger.Sources;

namespace CommitmentLedger.Commitments;

public record SourceInput
{
    /// <summary>The key of a registered source (POST /api/sources): the quote must then occur in its text.</summary>
    public string? Key { get; init; }
    public string? Title { get; init; }
    public string? Publisher { get; init; }
    public string? PublishedOn { get; init; }
    public string? Url { get; init; }
    public string? Section { get; init; }
    public string? Quote { get; init; }
    public string? QuoteLanguage { get; init; }
}

/// <summary>
/// The body of <c>POST /api/commitments</c> and of follow-ups. Enumerations and dates arrive as strings
/// so that every bad value is reported by field name rather than as an unreadable JSON error.
/// </summary>
public record NewCommitment
{
    public string? Kind { get; init; }
    public string? Strength { get; init; }
    public Dictionary<string, string?>? Title { get; init; }
    public string[]? Parties { get; init; }
    public string[]? Responsible { get; init; }
    public string? Area { get; init; }
    public string? MadeOn { get; init; }
    public string? DueOn { get; init; }
    public string? Status { get; init; }
    public Guid? ParentId { get; init; }
    public string? ExternalRef { get; init; }
    public SourceInput? Source { get; init; }
    /// <summary>An ISO 8601 duration (e.g. P6M): a review falls due after that long without progress.</summary>
    public string? ReviewEvery { get; init; }
}

public static partial class NewCommitmentRules
{
    [GeneratedRegex(@"^[A-Z0-9]+(-[A-Z0-9]+)*\z")]
    private static partial Regex PartyCode();

    [GeneratedRegex(@"^[a-z0-9]+(-[a-z0-9]+)*\z")]
    private static partial Regex AreaCode();

    public static bool IsPartyCode(string code) => code.Length <= 32 && PartyCode().IsMatch(code);

    public static bool IsAreaCode(string area) => area.Length <= Limits.Area && AreaCode().IsMatch(area);

    /// <summary>
    /// Checks the body on its own (no database) and, when it is valid, returns the event that records it.
    /// Field names are prefixed (<c>commitments[3].</c>) when the body is part of an import.
    /// </summary>
    public static CommitmentRecorded? Validate(NewCommitment? input, FieldErrors errors, string prefix = "")
    {
        if (input is null)
        {
            errors.Add(prefix.Length > 0 ? prefix.TrimEnd('.') : "body", "must be a JSON object, not null");
            return null;
        }
        var before = errors.Fields.Count;

        if (!Vocabulary.TryParse<CommitmentKind>(input.Kind, out var kind))
        {
            errors.Add(prefix + "kind", $"must be one of: {Vocabulary.Words<CommitmentKind>()}");
        }
        if (!Vocabulary.TryParse<Strength>(input.Strength, out var strength))
        {
            errors.Add(prefix + "strength", $"must be one of: {Vocabulary.Words<Strength>()}");
        }
        var status = LifecycleStatus.Declared;
        if (input.Status is not null && !Vocabulary.TryParse(input.Status, out status))
        {
            errors.Add(prefix + "status", $"must be one of: {Vocabulary.Words<LifecycleStatus>()}");
        }

        ValidateTitle(input.Title, errors, prefix + "title");
        var parties = ValidateCodes(input.Parties, errors, prefix + "parties", required: true);
        var responsible = ValidateCodes(input.Responsible, errors, prefix + "responsible", required: false);
        foreach (var code in responsible.Where(code => !parties.Contains(code)))
        {
            errors.Add(prefix + "responsible", $"'{code}' is not one of the parties");
        }

        if (string.IsNullOrWhiteSpace(input.Area))
        {
            errors.Add(prefix + "area", "is required");
        }
        else if (input.Area.Length > Limits.Area || !AreaCode().IsMatch(input.Area))
        {
            errors.Add(prefix + "area", $"must be lower-case words joined by '-' (e.g. 'maritime-security'), at most {Limits.Area} characters");
        }

        var madeOnValid = Input.TryParseDate(input.MadeOn, out var madeOn);
        if (!madeOnValid)
        {
            errors.Add(prefix + "madeOn", "is required and must be a real date written YYYY-MM-DD");
        }
        DateOnly? dueOn = null;
        if (input.DueOn is not null)
        {
            if (!Input.TryParseDate(input.DueOn, out var due))
            {
                errors.Add(prefix + "dueOn", "must be a real date written YYYY-MM-DD");
            }
            else if (madeOnValid && due < madeOn)
            {
                errors.Add(prefix + "dueOn", $"must not be before madeOn ({input.MadeOn})");
            }
            else
            {
                dueOn = due;
            }
        }

        if (input.ExternalRef is not null)
        {
            Input.RequireText(errors, prefix + "externalRef", input.ExternalRef, Limits.ExternalRef);
        }
        var source = ValidateSource(input.Source, errors, prefix + "source");

        if (errors.Fields.Count > before)
        {
            return null;
        }

        var title = input.Title!.ToDictionary(x => x.Key, x => x.Value!.Trim());
        var recorded = new CommitmentRecorded(
            input.ExternalRef?.Trim(), kind, strength, title, parties, responsible, input.Area!, madeOn, dueOn, status,
            input.ParentId, source, ContentHash: "");
        return recorded with { ContentHash = HashOf(recorded) };
    }

    /// <summary>
    /// Completes a citation of a registered source from that source (<see cref="SourceQuotes.Cite"/>) and fingerprints
    /// the result; recordings that cite no registered source are returned as they are.
    /// </summary>
    public static async Task<CommitmentRecorded?> CiteRegisteredSource(CommitmentRecorded recorded, Marten.IQuerySession session,
        FieldErrors errors, string citationPrefix, CancellationToken ct, RegisteredSource? known = null)
    {
        if (recorded.Source is not { Key: { } key } citation)
        {
            return recorded;
        }
        var source = known?.Id == key ? known : await session.LoadAsync<RegisteredSource>(key, ct);
        if (SourceQuotes.Cite(citation, source, errors, citationPrefix) is not { } cited)
        {
            return null;
        }
        var completed = recorded with { Source = cited };
        return completed with { ContentHash = HashOf(completed) };
    }

    /// <summary>
    /// A fingerprint of what was recorded, so that sending the same content under the same externalRef is
    /// recognised as a repeat and different content as a conflict.
    /// </summary>
    public static string HashOf(CommitmentRecorded recorded)
    {
        var canonical = recorded with
        {
            ContentHash = "",
            Title = new SortedDictionary<string, string>(recorded.Title.ToDictionary(), StringComparer.Ordinal),
        };
        return Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(canonical, HashJson)));
    }

    // Enum names rather than numbers, so reordering an enum never turns a repeated import into a conflict.
    private static readonly JsonSerializerOptions HashJson = new()
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { LeaveOutCitationLinks } },
    };

    /// <summary>
    /// A citation's registered-source key and quote offsets follow from the externalRef and the quote (a registered
    /// text never changes), and commitments recorded before sources existed lack them: they stay out of the
    /// fingerprint, so importing the sample again over an older ledger still finds it unchanged.
    /// </summary>
    private static void LeaveOutCitationLinks(JsonTypeInfo info)
    {
        if (info.Type != typeof(SourceCitation))
        {
            return;
        }
        foreach (var link in info.Properties.Where(p => p.Name is nameof(SourceCitation.Key) or nameof(SourceCitation.QuoteStart)
                     or nameof(SourceCitation.QuoteEnd)).ToList())
        {
            info.Properties.Remove(link);
        }
    }

    private static void ValidateTitle(Dictionary<string, string?>? title, FieldErrors errors, string field)
    {
        if (title is null || title.Count == 0)
        {
            errors.Add(field, "is required: a map of language tag to text with at least one entry, e.g. {\"en\": \"...\"}");
            return;
        }
        if (title.Count > Limits.TitleLanguages)
        {
            errors.Add(field, $"must have at most {Limits.TitleLanguages} languages");
        }
        foreach (var (language, text) in title)
        {
            if (!Input.IsLanguageTag(language))
            {
                errors.Add(field, $"'{Truncate(language)}' is not a language tag such as 'en' or 'ja'");
            }
            Input.RequireText(errors, $"{field}.{Truncate(language)}", text, Limits.TitleText);
        }
    }

    private static string[] ValidateCodes(string[]? codes, FieldErrors errors, string field, bool required)
    {
        if (codes is null || codes.Length == 0)
        {
            if (required)
            {
                errors.Add(field, $"is required: 1 to {Limits.Parties} party codes such as 'JP-MOD'");
            }
            return [];
        }
        if (codes.Length > Limits.Parties)
        {
            errors.Add(field, $"must have at most {Limits.Parties} codes (got {codes.Length})");
        }
        foreach (var code in codes)
        {
            if (code is null || code.Length > 32 || !PartyCode().IsMatch(code))
            {
                errors.Add(field, $"'{Truncate(code)}' is not a party code: upper-case letters and digits joined by '-', e.g. 'VN-MND'");
            }
        }
        if (codes.Distinct().Count() != codes.Length)
        {
            errors.Add(field, "must not repeat a code");
        }
        return codes;
    }

    private static SourceCitation? ValidateSource(SourceInput? source, FieldErrors errors, string field)
    {
        if (source is null)
        {
            return null;
        }
        Input.CheckText(errors, field + ".title", source.Title, Limits.SourceText);
        Input.CheckText(errors, field + ".publisher", source.Publisher, Limits.SourceText);
        Input.CheckText(errors, field + ".section", source.Section, Limits.SourceText);
        Input.CheckText(errors, field + ".quote", source.Quote, Limits.Quote);
        Input.CheckUrl(errors, field + ".url", source.Url, required: false);
        DateOnly? publishedOn = null;
        if (source.PublishedOn is not null)
        {
            if (Input.TryParseDate(source.PublishedOn, out var date))
            {
                publishedOn = date;
            }
            else
            {
                errors.Add(field + ".publishedOn", "must be a real date written YYYY-MM-DD");
            }
        }
        if (source.QuoteLanguage is not null && !Input.IsLanguageTag(source.QuoteLanguage))
        {
            errors.Add(field + ".quoteLanguage", "must be a language tag such as 'ja' or 'en'");
        }
        if (source.Key is not null && !SourceKeys.IsValid(source.Key))
        {
            errors.Add(field + ".key", $"must be the key of a registered source: {SourceKeys.Rule}");
        }
        if (source.Quote is not null && source.QuoteLanguage is null && source.Key is null)
        {
            errors.Add(field + ".quoteLanguage",
                "is required with a quote (unless it cites a registered source by key): the language the quote is written in");
        }
        return new SourceCitation(source.Title, source.Publisher, publishedOn, source.Url, source.Section, source.Quote,
            source.QuoteLanguage, source.Key);
    }

    private static string Truncate(string? text) => text is null ? "null" : text.Length <= 40 ? text : text[..40] + "…";
}

using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using CommitmentLedger.Commitments;
using CommitmentLedger.Infrastructure;

namespace CommitmentLedger.Sources;

/// <summary>
/// A source document registered with its full text, a Marten document keyed by its key. It never changes once
/// registered: registering the same key again with anything different is a conflict.
/// </summary>
public sealed record RegisteredSource
{
    /// <summary>The key, e.g. <c>jp-mod-2021-11-23-jp-vn-defence-ministers</c>.</summary>
    public string Id { get; init; } = "";
    public string? Title { get; init; }
    public string Publisher { get; init; } = "";
    public DateOnly PublishedOn { get; init; }
    public string? Url { get; init; }
    public string Language { get; init; } = "";
    public string Text { get; init; } = "";
    /// <summary>SHA-256 of the text's UTF-8 bytes, lower-case hex: anyone holding a copy can check it is the same text.</summary>
    public string Sha256 { get; init; } = "";
    public DateTimeOffset RegisteredAt { get; init; }
    public string? RegisteredBy { get; init; }

    public static string HashOf(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>The fields in which <paramref name="other"/> says something else than this source.</summary>
    public IReadOnlyList<string> DifferencesFrom(RegisteredSource other) =>
    [
        .. Title != other.Title ? ["title"] : Array.Empty<string>(),
        .. Publisher != other.Publisher ? ["publisher"] : Array.Empty<string>(),
        .. PublishedOn != other.PublishedOn ? ["publishedOn"] : Array.Empty<string>(),
        .. Url != other.Url ? ["url"] : Array.Empty<string>(),
        .. Language != other.Language ? ["language"] : Array.Empty<string>(),
        .. Sha256 != other.Sha256 ? ["text"] : Array.Empty<string>(),
    ];
}

public static partial class SourceKeys
{
    [GeneratedRegex(@"^[a-z0-9][a-z0-9._-]{0,99}\z")]
    private static partial Regex Pattern();

    public const string Rule = "lower-case letters, digits, '.', '_' or '-', at most 100 characters";

    public static bool IsValid(string? key) => key is not null && Pattern().IsMatch(key);
}

/// <summary>Binds a commitment's citation to the text of the registered source it names.</summary>
public static class SourceQuotes
{
    /// <summary>
    /// The citation completed from the registered source (title, publisher, date, url, quote language) with the
    /// quote's character offsets; null, with the fields named, when the source is unknown, the quote does not occur
    /// in its text, or a given field says something else than the source.
    /// </summary>
    public static SourceCitation? Cite(SourceCitation citation, RegisteredSource? source, FieldErrors errors, string prefix)
    {
        if (source is null)
        {
            errors.Add(prefix + "key", $"no source is registered under '{citation.Key}': register it first with POST /api/sources");
            return null;
        }
        var before = errors.Fields.Count;
        Same(errors, prefix + "title", citation.Title, source.Title);
        Same(errors, prefix + "publisher", citation.Publisher, source.Publisher);
        Same(errors, prefix + "publishedOn", citation.PublishedOn?.ToString("yyyy-MM-dd"), source.PublishedOn.ToString("yyyy-MM-dd"));
        Same(errors, prefix + "url", citation.Url, source.Url);
        Same(errors, prefix + "quoteLanguage", citation.QuoteLanguage, source.Language);
        var at = -1;
        if (string.IsNullOrEmpty(citation.Quote))
        {
            errors.Add(prefix + "quote", $"is required when citing source '{source.Id}': a sentence of its text, exactly as written there");
        }
        else if ((at = source.Text.IndexOf(citation.Quote, StringComparison.Ordinal)) < 0)
        {
            errors.Add(prefix + "quote", $"does not occur in the text of source '{source.Id}': quote a sentence exactly as the source writes it");
        }
        if (errors.Fields.Count > before)
        {
            return null;
        }
        var start = CodePoints(source.Text.AsSpan(0, at));
        return citation with
        {
            Title = source.Title,
            Publisher = source.Publisher,
            PublishedOn = source.PublishedOn,
            Url = source.Url,
            QuoteLanguage = source.Language,
            QuoteStart = start,
            QuoteEnd = start + CodePoints(citation.Quote),
        };
    }

    private static void Same(FieldErrors errors, string field, string? given, string? registered)
    {
        if (given is not null && given != registered)
        {
            errors.Add(field, $"says '{given}' where the registered source says '{registered ?? "nothing"}': leave it out to take the source's");
        }
    }

    // Offsets count characters as people do (code points), not UTF-16 units: a character outside the BMP is one.
    private static int CodePoints(ReadOnlySpan<char> text)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes()) count++;
        return count;
    }
}

namespace CommitmentLedger.Commitments;

/// <summary>How titles are searched with <c>q</c>: case-insensitive substring over every language.</summary>
public static class FreeText
{
    public static string Normalize(string text) => text.Trim().ToLowerInvariant();

    public static string Of(IEnumerable<string> texts) => string.Join(" | ", texts.Select(Normalize));

    public static string[] BigramsOf(IEnumerable<string> texts) => texts
        .Select(Normalize)
        .SelectMany(text => Enumerable.Range(0, Math.Max(0, text.Length - 1)).Select(i => text.Substring(i, 2)))
        .Where(IsBigramTerm)
        .Distinct(StringComparer.Ordinal)
        .Order(StringComparer.Ordinal)
        .ToArray();

    /// <summary>Two characters, neither blank: looked up in the bigram list rather than by LIKE.</summary>
    public static bool IsBigramTerm(string term) => term.Length == 2 && !term.Any(char.IsWhiteSpace);
}

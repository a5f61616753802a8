using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace CommitmentLedger.Infrastructure;

/// <summary>Strict parsing of the wire formats of DESIGN.md §4, so a bad value is named instead of guessed at.</summary>
public static partial class Input
{
    [GeneratedRegex(@"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*\z")]
    private static partial Regex LanguageTagPattern();

    /// <summary>A BCP 47 language tag as this service accepts it: 'ja', 'en', 'pt-BR', 'zh-Hant'.</summary>
    public static bool IsLanguageTag([NotNullWhen(true)] string? text) => text is not null && LanguageTagPattern().IsMatch(text);

    public static bool TryParseDate(string? text, out DateOnly date) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    /// <summary>An RFC 3339 timestamp with an explicit offset (Z or ±hh:mm).</summary>
    public static bool TryParseTimestamp(string? text, out DateTimeOffset timestamp)
    {
        timestamp = default;
        if (string.IsNullOrWhiteSpace(text) || text.Length < 20 || (text[10] != 'T' && text[10] != 't'))
        {
            return false;
        }
        var last = text[^1];
        var hasOffset = last is 'Z' or 'z' || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');
        return hasOffset && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out timestamp);
    }

    /// <summary>A body that is the JSON literal <c>null</c> binds as null: name it instead of failing later.</summary>
    public static bool RequireBody<T>(FieldErrors errors, [NotNullWhen(true)] T? body) where T : class
    {
        if (body is null)
        {
            errors.Add("body", "must be a JSON object, not null");
        }
        return body is not null;
    }

    public static bool HasControlCharacters(string text) =>
        text.Any(c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t');

    /// <summary>A required free text: present, not blank, within its length limit, no control characters.</summary>
    public static void RequireText(FieldErrors errors, string field, string? value, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add(field, "is required and must not be empty");
        }
        else
        {
            CheckText(errors, field, value, maxLength);
        }
    }

    public static void CheckText(FieldErrors errors, string field, string? value, int maxLength)
    {
        if (value is null)
        {
            return;
        }
        if (value.Length > maxLength)
        {
            errors.Add(field, $"must be at most {maxLength} characters (got {value.Length})");
        }
        if (HasControlCharacters(value))
        {
            errors.Add(field, "must not contain control characters");
        }
    }

    /// <summary>
    /// The <c>limit</c> of a paged list (or another query parameter capping a list, named by <paramref name="field"/>):
    /// <see cref="Limits.DefaultPage"/> when absent, 1 to <see cref="Limits.MaxPage"/>.
    /// </summary>
    public static int PageSize(FieldErrors errors, string? limit, string field = "limit")
    {
        if (limit is null) return Limits.DefaultPage;
        if (int.TryParse(limit, out var size) && size is >= 1 and <= Limits.MaxPage) return size;
        errors.Add(field, $"must be a whole number from 1 to {Limits.MaxPage}");
        return Limits.DefaultPage;
    }

    public static void CheckUrl(FieldErrors errors, string field, string? value, bool required)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                errors.Add(field, "is required");
            }
            return;
        }
        if (value.Length > Limits.Url ||
            !Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add(field, $"must be an absolute http or https URL of at most {Limits.Url} characters");
        }
    }
}

/// <summary>The documented limits of the v1 contract (README, "Limits").</summary>
public static class Limits
{
    public const int RequestBodyBytes = 64 * 1024;
    public const int TitleText = 500;
    public const int TitleLanguages = 10;
    public const int Parties = 20;
    public const int Area = 64;
    public const int Note = 4000;
    public const int Reason = 1000;
    public const int Quote = 2000;
    public const int SourceFullText = 60_000;
    public const int Assessor = 200;
    public const int SourceText = 500;
    public const int Url = 2000;
    public const int Evidence = 20;
    public const int ExternalRef = 200;
    public const int Query = 200;
    public const int DefaultPage = 50;
    public const int MaxPage = 500;
}

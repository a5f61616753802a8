using CommitmentLedger.Infrastructure;
using CommitmentLedger.Sources;
using Marten;

namespace CommitmentLedger.Drafts;

/// <summary>A registered source whose text can be read for drafts, with the rules of its language.</summary>
public sealed record ReadableSource(RegisteredSource Source, DraftRules Rules);

public static class SourceText
{
    /// <summary>The source and its rules, or the problem that stops drafting: 404, 409 (no text), 422 (binary, no rules).</summary>
    public static async Task<(ReadableSource? Readable, IResult? Problem)> Open(string key, IQuerySession session, CancellationToken ct)
    {
        if (!SourceKeys.IsValid(key) || await session.LoadAsync<RegisteredSource>(key, ct) is not { } source)
        {
            return (null, Problems.NotFound($"No source is registered under the key '{key}'."));
        }
        if (string.IsNullOrWhiteSpace(source.Text))
        {
            return (null, Problems.Conflict(
                $"Source '{key}' is registered without its text, so there is nothing to draft from. " +
                "Register the full text under a new key (POST /api/sources with 'text')."));
        }
        if (Input.HasControlCharacters(source.Text) || source.Text.Contains('\uFFFD'))
        {
            return (null, Unreadable(
                $"The text of source '{key}' holds control characters or undecodable bytes: it looks binary, not prose. " +
                "Register the document's text as plain Unicode under a new key."));
        }
        if (DraftRules.For(source.Language) is not { } rules)
        {
            var supported = DraftRules.Supported();
            return (null, Unreadable(
                $"Source '{key}' is in '{source.Language}', and there are no drafting rules for that language. " +
                $"Supported languages: {string.Join(", ", supported)}.",
                new Dictionary<string, object?> { ["language"] = source.Language, ["supportedLanguages"] = supported }));
        }
        return (new ReadableSource(source, rules), null);
    }

    private static IResult Unreadable(string detail, IDictionary<string, object?>? extensions = null) =>
        Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "The source cannot be drafted",
            detail: detail, extensions: extensions);
}

using CommitmentLedger.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CommitmentLedger.Sources;

public sealed record RegisterSourceRequest(
    string? Key, string? Title, string? Publisher, string? PublishedOn, string? Url, string? Language, string? Text);

public abstract record Registration
{
    public sealed record Created(RegisteredSource Source) : Registration;
    public sealed record Unchanged(RegisteredSource Source) : Registration;
    public sealed record Conflicting(RegisteredSource Existing, IReadOnlyList<string> Fields) : Registration;
}

public static class RegisterSourceEndpoint
{
    /// <summary>Checks the body on its own; field names are prefixed (<c>source.</c>) when it is part of an import.</summary>
    public static RegisteredSource? Parse(RegisterSourceRequest? body, FieldErrors errors, string prefix = "")
    {
        if (body is null)
        {
            errors.Add(prefix.Length > 0 ? prefix.TrimEnd('.') : "body", "must be a JSON object, not null");
            return null;
        }
        var before = errors.Fields.Count;
        if (!SourceKeys.IsValid(body.Key))
        {
            errors.Add(prefix + "key", $"is required: {SourceKeys.Rule}");
        }
        Input.CheckText(errors, prefix + "title", body.Title, Limits.SourceText);
        Input.RequireText(errors, prefix + "publisher", body.Publisher, Limits.SourceText);
        if (!Input.TryParseDate(body.PublishedOn, out var publishedOn))
        {
            errors.Add(prefix + "publishedOn", "is required and must be a real date written YYYY-MM-DD");
        }
        Input.CheckUrl(errors, prefix + "url", body.Url, required: false);
        if (!Input.IsLanguageTag(body.Language))
        {
            errors.Add(prefix + "language", "is required: the language tag of the text, such as 'ja' or 'en'");
        }
        Input.RequireText(errors, prefix + "text", body.Text, Limits.SourceFullText);
        return errors.Fields.Count > before
            ? null
            : new RegisteredSource
            {
                Id = body.Key!, Title = body.Title, Publisher = body.Publisher!, PublishedOn = publishedOn,
                Url = string.IsNullOrWhiteSpace(body.Url) ? null : body.Url, Language = body.Language!, Text = body.Text!,
                Sha256 = RegisteredSource.HashOf(body.Text!),
            };
    }

    /// <summary>Stores a new source in the session (saved with the caller's other changes); a key is registered once.</summary>
    public static async Task<Registration> Register(IDocumentSession session, RegisteredSource source, TimeProvider clock,
        CancellationToken ct)
    {
        var existing = await session.LoadAsync<RegisteredSource>(source.Id, ct);
        if (existing is not null)
        {
            var differences = existing.DifferencesFrom(source);
            return differences.Count == 0 ? new Registration.Unchanged(existing) : new Registration.Conflicting(existing, differences);
        }
        var registered = source with { RegisteredAt = clock.GetUtcNow(), RegisteredBy = session.LastModifiedBy };
        session.Insert(registered);
        return new Registration.Created(registered);
    }

    public static IResult Conflict(Registration.Conflicting conflict) => Problems.Conflict(
        $"Source '{conflict.Existing.Id}' is already registered with a different {string.Join(", ", conflict.Fields)}; " +
        "a registered source never changes. Register the new version under another key.",
        new Dictionary<string, object?> { ["fields"] = conflict.Fields, ["sha256"] = conflict.Existing.Sha256 });

    [WolverinePost("/api/sources", OperationId = "registerSource")]
    [Tags("Sources")]
    [EndpointSummary("Register a source document with its full text; the same key and content again changes nothing")]
    [ProducesResponseType<SourceView>(StatusCodes.Status201Created)]
    [ProducesResponseType<SourceView>(StatusCodes.Status200OK, Description = "The same source was already registered under this key")]
    [ProblemResponses(400, 409, 413)]
    public static async Task<IResult> Post(RegisterSourceRequest? body, IDocumentSession session, TimeProvider clock,
        CancellationToken ct)
    {
        var errors = new FieldErrors();
        if (Parse(body, errors) is not { } source)
        {
            return Problems.Invalid(errors);
        }
        return await Register(session, source, clock, ct) switch
        {
            Registration.Created created => Results.Created($"/api/sources/{created.Source.Id}", SourceView.Of(created.Source, [])),
            Registration.Unchanged unchanged => Results.Ok(await SourceView.Load(session, unchanged.Source, ct)),
            Registration.Conflicting conflicting => Conflict(conflicting),
            var other => throw new InvalidOperationException($"Unknown registration {other}"),
        };
    }
}

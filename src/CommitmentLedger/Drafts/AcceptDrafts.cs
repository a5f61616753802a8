using System.Globalization;
using System.Text.RegularExpressions;
using CommitmentLedger.Commitments;
using CommitmentLedger.Imports;
using CommitmentLedger.Infrastructure;
using CommitmentLedger.Sources;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CommitmentLedger.Drafts;

/// <summary>
/// A draft as <c>POST .../drafts</c> returned it, possibly edited: the create fields plus its ref, its parent's ref and
/// its sentence's offsets. Other fields of the returned draft (actor, confidence, rules...) are ignored.
/// </summary>
public sealed record AcceptedDraft : NewCommitment
{
    public string? Ref { get; init; }
    public string? ParentRef { get; init; }
    public string? Section { get; init; }
    public int? SentenceStart { get; init; }
    public int? SentenceEnd { get; init; }
}

public sealed record AcceptDraftsRequest(AcceptedDraft?[]? Drafts);

public static partial class AcceptDraftsEndpoint
{
    [GeneratedRegex(@"^s(\d+)-\d+$")]
    private static partial Regex DraftRef();

    [WolverinePost("/api/sources/{key}/drafts/accept", OperationId = "acceptDrafts")]
    [Tags("Sources")]
    [EndpointSummary("Record the chosen drafts of a source as an import does: all or nothing, and accepting them again creates nothing")]
    [ProducesResponseType<ImportResult>(StatusCodes.Status200OK)]
    [ProblemResponses(400, 404, 409, 413, 422)]
    public static async Task<IResult> Post(string key, AcceptDraftsRequest? body, IDocumentSession session, TimeProvider clock,
        CancellationToken ct)
    {
        var (readable, problem) = await SourceText.Open(key, session, ct);
        if (readable is null)
        {
            return problem!;
        }
        var source = readable.Source;
        var errors = new FieldErrors();
        var drafts = body?.Drafts ?? [];
        if (drafts.Length is 0 or > SourceImporter.MaxEntries)
        {
            return Problems.Invalid("drafts", $"must list 1 to {SourceImporter.MaxEntries} drafts, as POST /api/sources/{key}/drafts returns them");
        }
        var entries = drafts.Select((draft, i) => Entry(draft, i, source, errors)).ToArray();
        if (errors.Any)
        {
            return Problems.Invalid(errors);
        }
        // The same path as POST /api/imports: externalRef is {key}/{ref}, so accepting a draft twice is a no-op.
        var file = new ImportFile { Source = new ImportSource { Key = source.Id, Language = source.Language }, Commitments = entries! };
        return await SourceImporter.Import(session, file, clock, ct) switch
        {
            ImportOutcome.Imported imported => Results.Ok(imported.Result),
            ImportOutcome.Invalid invalid => Problems.Invalid(Renamed(invalid.Errors)),
            ImportOutcome.Conflicting conflicting => ImportSourceDocumentEndpoint.Conflict(conflicting.Refs),
            ImportOutcome.SourceConflict conflict => RegisterSourceEndpoint.Conflict(conflict.Conflict),
            var other => throw new InvalidOperationException($"Unknown import outcome {other}"),
        };
    }

    private static ImportEntry? Entry(AcceptedDraft? draft, int i, RegisteredSource source, FieldErrors errors)
    {
        var prefix = $"drafts[{i}].";
        if (draft is null)
        {
            errors.Add($"drafts[{i}]", "must be an object");
            return null;
        }
        var length = source.Text.EnumerateRunes().Count();
        if (draft.SentenceStart is not { } start || draft.SentenceEnd is not { } end || start < 0 || end <= start || end > length)
        {
            errors.Add(prefix + "sentenceStart", $"sentenceStart and sentenceEnd must give the draft's sentence: 0 <= start < end <= {length}");
            return null;
        }
        if (draft.Ref is null || DraftRef().Match(draft.Ref) is not { Success: true } match ||
            match.Groups[1].Value != start.ToString(CultureInfo.InvariantCulture))
        {
            errors.Add(prefix + "ref", $"must be s{start}-N as the drafts endpoint gives it: the sentence's offset and the draft's number in it");
            return null;
        }
        foreach (var (field, given) in new[] { ("externalRef", draft.ExternalRef), ("source", draft.Source?.ToString()), ("parentId", draft.ParentId?.ToString()) })
        {
            if (given is not null) errors.Add(prefix + field, "is set from the source and the draft's ref; leave it out (use parentRef for the parent)");
        }
        return new ImportEntry
        {
            Kind = draft.Kind, Strength = draft.Strength, Title = draft.Title, Parties = draft.Parties,
            Responsible = draft.Responsible, Area = draft.Area,
            MadeOn = draft.MadeOn ?? source.PublishedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            DueOn = draft.DueOn, Status = draft.Status, ReviewEvery = draft.ReviewEvery,
            Ref = draft.Ref, ParentRef = draft.ParentRef, Section = draft.Section, Quote = Slice(source.Text, start, end),
        };
    }

    /// <summary>The text between two code-point offsets, the convention of quoteStart and quoteEnd.</summary>
    private static string Slice(string text, int start, int end)
    {
        var runes = text.EnumerateRunes().Skip(start).Take(end - start);
        return string.Concat(runes.Select(r => r.ToString()));
    }

    private static FieldErrors Renamed(FieldErrors errors)
    {
        var renamed = new FieldErrors();
        foreach (var (field, messages) in errors.ToDictionary())
        {
            foreach (var message in messages)
            {
                renamed.Add(field.StartsWith("commitments", StringComparison.Ordinal) ? "drafts" + field["commitments".Length..] : field, message);
            }
        }
        return renamed;
    }
}

using System.Text.RegularExpressions;
using CommitmentLedger.Commitments;
using CommitmentLedger.Infrastructure;
using CommitmentLedger.Sources;
using Marten;

namespace CommitmentLedger.Imports;

public abstract record ImportOutcome
{
    public sealed record Imported(ImportResult Result) : ImportOutcome;
    public sealed record Invalid(FieldErrors Errors) : ImportOutcome;
    public sealed record Conflicting(IReadOnlyList<string> Refs) : ImportOutcome;
    public sealed record SourceConflict(Registration.Conflicting Conflict) : ImportOutcome;
}

/// <summary>
/// Imports one source document and its commitments, all or nothing: nothing is appended to the session
/// unless every entry is valid and none conflicts, so the caller's single SaveChanges writes all or none.
/// <c>externalRef</c> is <c>{source.key}/{ref}</c>, which makes a repeated import a no-op.
/// </summary>
public static partial class SourceImporter
{
    public const int MaxEntries = 1000;

    [GeneratedRegex(@"^[a-z0-9][a-z0-9._-]{0,99}\z")]
    private static partial Regex Key();

    public static async Task<ImportOutcome> Import(IDocumentSession session, ImportFile file, TimeProvider clock,
        CancellationToken ct,
        Action<string>? progress = null)
    {
        var errors = new FieldErrors();
        var source = ValidateSource(file.Source, errors);
        var sent = source?.Text is null ? null : RegisterSourceEndpoint.Parse(AsRegistration(source), errors, "source.");
        var entries = file.Commitments ?? [];
        if (entries.Length == 0 || entries.Length > MaxEntries)
        {
            errors.Add("commitments", $"must list 1 to {MaxEntries} commitments");
        }
        if (source is null || errors.Any)
        {
            return new ImportOutcome.Invalid(errors);
        }

        // A file with the source's text registers it; a file naming a registered source cites it either way, so
        // each quote must occur in the registered text. Either way the file must describe the source as registered.
        var registered = await session.LoadAsync<RegisteredSource>(source.Key!, ct);
        RegisteredSource? toRegister = null;
        if (registered is null && sent is not null)
        {
            registered = toRegister = sent with { RegisteredAt = clock.GetUtcNow(), RegisteredBy = session.LastModifiedBy };
        }
        else if (registered is not null && registered.DifferencesFrom(sent ?? AsRegistered(source, registered)) is { Count: > 0 } fields)
        {
            return new ImportOutcome.SourceConflict(new Registration.Conflicting(registered, fields));
        }

        var refs = entries.Select(e => $"{source.Key}/{e?.Ref}").ToArray();
        var existing = (await session.Query<Commitment>().Where(x => x.ExternalRef.IsOneOf(refs)).ToListAsync(ct))
            .ToDictionary(x => x.ExternalRef!);

        var idsByRef = new Dictionary<string, Guid>(StringComparer.Ordinal);
        var decided = new List<(ImportEntry Entry, CommitmentRecorded Recorded, Recording Recording)>();
        var conflicts = new List<string>();
        for (var i = 0; i < entries.Length; i++)
        {
            var prefix = $"commitments[{i}].";
            var entry = entries[i];
            if (entry is null)
            {
                errors.Add($"commitments[{i}]", "must be an object");
                continue;
            }
            var parentId = ResolveParent(entry, idsByRef, errors, prefix);
            CheckRef(entry, idsByRef, errors, prefix);
            var cites = registered is not null && entry.Quote is not null;
            var input = entry with
            {
                ExternalRef = $"{source.Key}/{entry.Ref}",
                ParentId = parentId,
                Source = cites
                    ? new SourceInput { Key = source.Key, Section = entry.Section, Quote = entry.Quote }
                    : new SourceInput
                    {
                        Title = source.Title, Publisher = source.Publisher, PublishedOn = source.PublishedOn, Url = source.Url,
                        Section = entry.Section, Quote = entry.Quote, QuoteLanguage = entry.Quote is null ? null : source.Language,
                    },
            };
            var recorded = NewCommitmentRules.Validate(input, errors, prefix);
            if (recorded is not null && cites)
            {
                recorded = await NewCommitmentRules.CiteRegisteredSource(recorded, session, errors, prefix, ct, registered);
            }
            if (recorded is null || entry.Ref is null)
            {
                continue;
            }
            var recording = CommitmentRecording.Decide(recorded, existing.GetValueOrDefault(recorded.ExternalRef!), clock);
            idsByRef[entry.Ref] = recording.Id;
            if (recording.Outcome == RecordingOutcome.ExternalRefTaken)
            {
                conflicts.Add(entry.Ref);
            }
            decided.Add((entry, recorded, recording));
        }

        if (errors.Any)
        {
            return new ImportOutcome.Invalid(errors);
        }
        if (conflicts.Count > 0)
        {
            return new ImportOutcome.Conflicting(conflicts);
        }

        // A parent created by this import gets its FollowUpLinked in the same new stream;
        // a parent stored before is fetched for writing and appended to.
        var newStreams = decided.Where(d => d.Recording.Outcome == RecordingOutcome.Created)
            .ToDictionary(d => d.Recording.Id, d => new List<object> { d.Recorded });
        var imported = new List<ImportedCommitment>();
        foreach (var (entry, recorded, recording) in decided)
        {
            var created = recording.Outcome == RecordingOutcome.Created;
            if (created && recorded.ParentId is { } parentId)
            {
                var link = new FollowUpLinked(recording.Id, recorded.MadeOn);
                if (newStreams.TryGetValue(parentId, out var parentEvents))
                {
                    parentEvents.Add(link);
                }
                else
                {
                    (await session.Events.FetchForWriting<Commitment>(parentId, ct)).AppendOne(link);
                }
            }
            var outcome = created ? "created" : "unchanged";
            imported.Add(new ImportedCommitment(entry.Ref!, recording.Id, outcome));
            progress?.Invoke($"[{imported.Count}/{decided.Count}] {outcome,-9} {entry.Ref}");
        }
        foreach (var (id, events) in newStreams)
        {
            session.Events.StartStream<Commitment>(id, events.ToArray());
        }
        if (toRegister is not null)
        {
            session.Insert(toRegister);
        }
        return new ImportOutcome.Imported(new ImportResult(
            imported.Count(x => x.Outcome == "created"), imported.Count(x => x.Outcome == "unchanged"), imported,
            registered is null ? null : toRegister is null ? "unchanged" : "created"));
    }

    private static RegisterSourceRequest AsRegistration(ImportSource source) =>
        new(source.Key, source.Title, source.Publisher, source.PublishedOn, source.Url, source.Language, source.Text);

    /// <summary>The file's description of a source it gives no text for, to compare with the registered one.</summary>
    private static RegisteredSource AsRegistered(ImportSource source, RegisteredSource registered) => registered with
    {
        Title = source.Title ?? registered.Title,
        Publisher = source.Publisher ?? registered.Publisher,
        PublishedOn = Input.TryParseDate(source.PublishedOn, out var date) ? date : registered.PublishedOn,
        Url = source.Url ?? registered.Url,
        Language = source.Language ?? registered.Language,
    };

    private static ImportSource? ValidateSource(ImportSource? source, FieldErrors errors)
    {
        if (source is null)
        {
            errors.Add("source", "is required: {key, title, publisher, publishedOn, url, language, text?}");
            return null;
        }
        if (source.Text is not null)
        {
            return source; // checked as a registration (RegisterSourceEndpoint.Parse)
        }
        if (source.Key is null || !Key().IsMatch(source.Key))
        {
            errors.Add("source.key", $"is required: {SourceKeys.Rule}");
        }
        Input.CheckText(errors, "source.title", source.Title, Limits.SourceText);
        Input.CheckText(errors, "source.publisher", source.Publisher, Limits.SourceText);
        Input.CheckUrl(errors, "source.url", source.Url, required: false);
        if (source.PublishedOn is not null && !Input.TryParseDate(source.PublishedOn, out _))
        {
            errors.Add("source.publishedOn", "must be a real date written YYYY-MM-DD");
        }
        if (string.IsNullOrWhiteSpace(source.Language))
        {
            errors.Add("source.language", "is required: the language the source is written in, e.g. 'ja'");
        }
        return source;
    }

    private static void CheckRef(ImportEntry entry, Dictionary<string, Guid> seen, FieldErrors errors, string prefix)
    {
        if (entry.Ref is null || !Key().IsMatch(entry.Ref))
        {
            errors.Add(prefix + "ref", "is required: lower-case letters, digits, '.', '_' or '-', at most 100 characters");
        }
        else if (seen.ContainsKey(entry.Ref))
        {
            errors.Add(prefix + "ref", $"'{entry.Ref}' appears more than once in the file");
        }
        if (entry.ExternalRef is not null)
        {
            errors.Add(prefix + "externalRef", "is set by the import as {source.key}/{ref}; leave it out");
        }
        if (entry.ParentId is not null)
        {
            errors.Add(prefix + "parentId", "use parentRef, the ref of an earlier entry of the file");
        }
        if (entry.Source is not null)
        {
            errors.Add(prefix + "source", "comes from the file's source with this entry's quote and section; leave it out");
        }
    }

    private static Guid? ResolveParent(ImportEntry entry, Dictionary<string, Guid> idsByRef, FieldErrors errors, string prefix)
    {
        if (entry.ParentRef is null)
        {
            return null;
        }
        if (idsByRef.TryGetValue(entry.ParentRef, out var parentId))
        {
            return parentId;
        }
        errors.Add(prefix + "parentRef", $"'{entry.ParentRef}' is not the ref of an earlier entry of this file");
        return null;
    }
}

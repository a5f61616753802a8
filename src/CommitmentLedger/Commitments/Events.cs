using System.Text.Json.Serialization;

namespace CommitmentLedger.Commitments;

/// <summary>Events that carry the date on which the fact happened in the world (the second clock).</summary>
public interface IHasEffectiveDate
{
    DateOnly EffectiveOn { get; }
}

/// <summary>
/// Where a commitment comes from. When it cites a registered source (<see cref="Key"/>), the quote occurs in that
/// source's text from character <see cref="QuoteStart"/> up to <see cref="QuoteEnd"/> (Unicode code points, end exclusive).
/// </summary>
public sealed record SourceCitation(
    string? Title,
    string? Publisher,
    DateOnly? PublishedOn,
    string? Url,
    string? Section,
    string? Quote,
    string? QuoteLanguage,
    string? Key = null,
    int? QuoteStart = null,
    int? QuoteEnd = null);

public sealed record EvidenceLink(string Title, string Url);

public sealed record CommitmentRecorded(
    string? ExternalRef,
    CommitmentKind Kind,
    Strength Strength,
    IReadOnlyDictionary<string, string> Title,
    string[] Parties,
    string[] Responsible,
    string Area,
    DateOnly MadeOn,
    DateOnly? DueOn,
    LifecycleStatus Status,
    Guid? ParentId,
    SourceCitation? Source,
    string ContentHash) : IHasEffectiveDate
{
    // Derived from MadeOn, so it is not stored with the event.
    [JsonIgnore]
    public DateOnly EffectiveOn => MadeOn;
}

public sealed record ProgressReported(string Note, DateOnly EffectiveOn, EvidenceLink[] Evidence) : IHasEffectiveDate;

public sealed record StatusChanged(LifecycleStatus From, LifecycleStatus To, string Reason, DateOnly EffectiveOn)
    : IHasEffectiveDate;

public sealed record DueDateSet(DateOnly? PreviousDueOn, DateOnly DueOn, string Reason, DateOnly EffectiveOn)
    : IHasEffectiveDate;

/// <summary>
/// The due date passed while the commitment was not in a terminal status: appended by the scheduled deadline check
/// (Deadlines/), once per due date. Effective on the first day after the due date.
/// </summary>
public sealed record DeadlineMissed(DateOnly DueOn, DateOnly EffectiveOn) : IHasEffectiveDate;

/// <summary>How often the commitment should see progress (an ISO 8601 duration, e.g. P6M); recorded with it.</summary>
public sealed record ReviewPeriodSet(string ReviewEvery, DateOnly EffectiveOn) : IHasEffectiveDate;

/// <summary>
/// No progress for a whole review period (since <see cref="DueSince"/>): appended by the scheduled review check
/// (Reviews/), once per period. Progress answers it.
/// </summary>
public sealed record ReviewDue(DateOnly DueSince, string ReviewEvery, DateOnly EffectiveOn) : IHasEffectiveDate;

public sealed record FollowUpLinked(Guid FollowUpId, DateOnly EffectiveOn) : IHasEffectiveDate;

/// <summary>
/// Withdraws an earlier entry found wrong: the view is recomputed as if that entry had never happened, while the
/// entry itself stays in the history, marked. A fact about the record rather than the world: it has no effective date.
/// </summary>
public sealed record EntryRetracted(long RetractedVersion, string Reason);

/// <summary>
/// A translation of a text field (the title, or the source quote) into another language. A fact about the record,
/// not the world: it has no effective date and counts at every validAt.
/// </summary>
public sealed record TranslationAdded(TranslatableField Field, string Language, string Text, Translator Translator);

/// <summary>The span of time an assessment judges, both days included.</summary>
public sealed record AssessmentPeriod(DateOnly From, DateOnly To);

/// <summary>
/// An assessment of how far a commitment got, on the OGP completion scale, separate from the owner-reported
/// lifecycle. In the world it holds from the end of the period it judges.
/// </summary>
public sealed record AssessmentRecorded(
    Completion Completion,
    string? Verdict,
    string Assessor,
    string Method,
    AssessmentPeriod Period,
    string Note) : IHasEffectiveDate
{
    // Derived from the period, so it is not stored with the event.
    [JsonIgnore]
    public DateOnly EffectiveOn => Period.To;
}

using System.Text.Json.Serialization;
using JasperFx.Events;
using Marten;
using Marten.Events.Aggregation;

namespace CommitmentLedger.Commitments;

public sealed record ProgressNote(string Note, DateOnly EffectiveOn, DateTimeOffset RecordedAt, string? RecordedBy);

/// <summary>An assessor's latest assessment: the one judging the latest period (ties: the later recorded).</summary>
public sealed record Assessment(string Assessor, Completion Completion, string? Verdict, string Method, AssessmentPeriod Period,
    string Note, DateTimeOffset RecordedAt, string? RecordedBy);

/// <summary>The latest translation of a field into a language, and who made it (a person or a machine).</summary>
public sealed record Translation(TranslatableField Field, string Language, string Text, Translator Translator,
    DateTimeOffset RecordedAt, string? RecordedBy);

/// <summary>
/// The current state of one commitment stream, kept by the inline <see cref="CommitmentProjection"/>.
/// Immutable: every event yields a new instance, so nothing fetched for writing is ever mutated.
/// </summary>
public sealed record Commitment
{
    public Guid Id { get; init; }
    public long Version { get; set; }
    public string? ExternalRef { get; init; }
    public CommitmentKind Kind { get; init; }
    public Strength Strength { get; init; }
    public IReadOnlyDictionary<string, string> Title { get; init; } = new Dictionary<string, string>();
    /// <summary>The language the commitment was made in: its quote's, else its title's when it has only one.</summary>
    public string? OriginalLanguage { get; init; }
    public Translation[] Translations { get; init; } = [];
    /// <summary>All title translations lower-cased in one string, so free-text search is one indexed column.</summary>
    public string SearchText { get; init; } = "";
    /// <summary>
    /// Every two-character piece of <see cref="SearchText"/>: a trigram index cannot serve two-character terms,
    /// which are common in Japanese (覚書, 協議), while the GIN index on the document serves these.
    /// </summary>
    public string[] SearchBigrams { get; init; } = [];
    public string[] Parties { get; init; } = [];
    public string[] Responsible { get; init; } = [];
    public string Area { get; init; } = "";
    public DateOnly MadeOn { get; init; }
    public DateOnly? DueOn { get; init; }
    /// <summary>The due date whose passing was recorded (<see cref="DeadlineMissed"/>), so it is recorded once.</summary>
    public DateOnly? DeadlineMissedFor { get; init; }
    /// <summary>The commitment's own review period; without one, one without a due date takes the configured default.</summary>
    public string? ReviewEvery { get; init; }
    /// <summary>The date of the last <see cref="ReviewDue"/>: the next period counts from it (or from later progress).</summary>
    public DateOnly? LastReviewDueOn { get; init; }
    /// <summary>Set by <see cref="ReviewDue"/>, cleared by progress: the commitment needs a review since that date.</summary>
    public DateOnly? ReviewDueSince { get; init; }
    public LifecycleStatus Status { get; init; }
    public DateOnly StatusSince { get; init; }
    public Guid? ParentId { get; init; }
    public Guid[] FollowUps { get; init; } = [];
    public SourceCitation? Source { get; init; }
    public ProgressNote? LastProgress { get; init; }
    /// <summary>The latest assessment of each assessor, ordered by assessor.</summary>
    public Assessment[] Assessments { get; init; } = [];
    public string ContentHash { get; init; } = "";
    public DateTimeOffset RecordedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    [JsonIgnore]
    public bool IsTerminal => Lifecycle.IsTerminal(Status);

    public bool IsOverdueOn(DateOnly today) => DueOn is { } due && due < today && !IsTerminal;
}

public partial class CommitmentProjection : SingleStreamProjection<Commitment, Guid>
{
    public Commitment Create(IEvent<CommitmentRecorded> e)
    {
        var data = e.Data;
        return new Commitment
        {
            Id = e.StreamId,
            ExternalRef = data.ExternalRef,
            Kind = data.Kind,
            Strength = data.Strength,
            Title = data.Title,
            OriginalLanguage = data.Source?.QuoteLanguage ?? (data.Title.Count == 1 ? data.Title.Keys.Single() : null),
            SearchText = FreeText.Of(data.Title.Values),
            SearchBigrams = FreeText.BigramsOf(data.Title.Values),
            Parties = data.Parties,
            Responsible = data.Responsible,
            Area = data.Area,
            MadeOn = data.MadeOn,
            DueOn = data.DueOn,
            Status = data.Status,
            StatusSince = data.MadeOn,
            ParentId = data.ParentId,
            Source = data.Source,
            ContentHash = data.ContentHash,
            RecordedAt = e.Timestamp,
            UpdatedAt = e.Timestamp,
        };
    }

    // The latest progress in the world: a report recorded late about an earlier day does not hide a newer one,
    // so the view agrees with validAt=today whatever order the reports arrived in.
    public Commitment Apply(IEvent<ProgressReported> e, Commitment current) => current with
    {
        LastProgress = current.LastProgress is { } last && last.EffectiveOn > e.Data.EffectiveOn
            ? last
            : new ProgressNote(e.Data.Note, e.Data.EffectiveOn, e.Timestamp, e.UserName),
        ReviewDueSince = null,
        UpdatedAt = e.Timestamp,
    };

    public Commitment Apply(IEvent<StatusChanged> e, Commitment current) => current with
    {
        Status = e.Data.To,
        StatusSince = e.Data.EffectiveOn,
        UpdatedAt = e.Timestamp,
    };

    public Commitment Apply(IEvent<DueDateSet> e, Commitment current) => current with
    {
        DueOn = e.Data.DueOn,
        UpdatedAt = e.Timestamp,
    };

    public Commitment Apply(IEvent<DeadlineMissed> e, Commitment current) => current with
    {
        DeadlineMissedFor = e.Data.DueOn,
        UpdatedAt = e.Timestamp,
    };

    public Commitment Apply(IEvent<ReviewPeriodSet> e, Commitment current) => current with
    {
        ReviewEvery = e.Data.ReviewEvery,
        UpdatedAt = e.Timestamp,
    };

    public Commitment Apply(IEvent<ReviewDue> e, Commitment current) => current with
    {
        LastReviewDueOn = e.Data.EffectiveOn,
        ReviewDueSince = e.Data.DueSince,
        UpdatedAt = e.Timestamp,
    };

    /// <summary>
    /// Recomputes the view from the stream as if the retracted entry had never happened. The earlier events are
    /// read from the store (this stream only): inline they are all stored already, and so they are in a rebuild.
    /// </summary>
    public async Task<Commitment> Apply(IEvent<EntryRetracted> e, Commitment current, IQuerySession session)
    {
        var earlier = await session.Events.FetchStreamAsync(e.StreamId, e.Version - 1);
        return CommitmentReplay.AsRecorded([.. earlier, e])!;
    }

    /// <summary>A title translation joins the title map (and free-text search); every translation is listed with its translator.</summary>
    public Commitment Apply(IEvent<TranslationAdded> e, Commitment current)
    {
        var added = new Translation(e.Data.Field, e.Data.Language, e.Data.Text, e.Data.Translator, e.Timestamp, e.UserName);
        var translations = current.Translations.Where(t => t.Field != added.Field || t.Language != added.Language).Append(added).ToArray();
        if (added.Field != TranslatableField.Title)
        {
            return current with { Translations = translations, UpdatedAt = e.Timestamp };
        }
        var title = new Dictionary<string, string>(current.Title) { [added.Language] = added.Text };
        return current with
        {
            Title = title,
            SearchText = FreeText.Of(title.Values),
            SearchBigrams = FreeText.BigramsOf(title.Values),
            Translations = translations,
            UpdatedAt = e.Timestamp,
        };
    }

    // Judged by the period, not by arrival, so the view agrees with validAt=today whatever order assessments came in.
    public Commitment Apply(IEvent<AssessmentRecorded> e, Commitment current)
    {
        var d = e.Data;
        var earlier = current.Assessments.FirstOrDefault(a => a.Assessor == d.Assessor);
        if (earlier is not null && earlier.Period.To > d.Period.To)
        {
            return current with { UpdatedAt = e.Timestamp };
        }
        var latest = new Assessment(d.Assessor, d.Completion, d.Verdict, d.Method, d.Period, d.Note, e.Timestamp, e.UserName);
        return current with
        {
            Assessments = current.Assessments.Where(a => a.Assessor != d.Assessor).Append(latest)
                .OrderBy(a => a.Assessor, StringComparer.Ordinal).ToArray(),
            UpdatedAt = e.Timestamp,
        };
    }

    public Commitment Apply(IEvent<FollowUpLinked> e, Commitment current) => current with
    {
        FollowUps = current.FollowUps.Contains(e.Data.FollowUpId) ? current.FollowUps : [.. current.FollowUps, e.Data.FollowUpId],
        UpdatedAt = e.Timestamp,
    };
}

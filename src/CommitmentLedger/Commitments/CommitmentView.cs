namespace CommitmentLedger.Commitments;

/// <summary>The public shape of a commitment (DESIGN.md §4). Every key is always present; unknown values are null.</summary>
public sealed record CommitmentView(
    Guid Id,
    long Version,
    string? ExternalRef,
    CommitmentKind Kind,
    Strength Strength,
    IReadOnlyDictionary<string, string> Title,
    string? OriginalLanguage,
    Translation[] Translations,
    string[] Parties,
    string[] Responsible,
    string Area,
    DateOnly MadeOn,
    DateOnly? DueOn,
    LifecycleStatus Status,
    DateOnly StatusSince,
    bool Overdue,
    Guid? ParentId,
    Guid[] FollowUps,
    SourceCitation? Source,
    ProgressNote? LastProgress,
    Assessment[] Assessments,
    DateTimeOffset RecordedAt,
    DateTimeOffset UpdatedAt,
    string? ReviewEvery,
    DateOnly? ReviewDueSince,
    Portfolio.Rollup? FollowUpRollup = null)
{
    /// <summary>Overdue is derived on read, never stored: it changes with the calendar, not with events.</summary>
    public static CommitmentView Of(Commitment c, DateOnly today) => new(
        c.Id, c.Version, c.ExternalRef, c.Kind, c.Strength, c.Title, c.OriginalLanguage, c.Translations, c.Parties,
        c.Responsible, c.Area, c.MadeOn, c.DueOn, c.Status, c.StatusSince, c.IsOverdueOn(today), c.ParentId, c.FollowUps,
        c.Source, c.LastProgress, c.Assessments, c.RecordedAt, c.UpdatedAt, c.ReviewEvery, c.ReviewDueSince);
}

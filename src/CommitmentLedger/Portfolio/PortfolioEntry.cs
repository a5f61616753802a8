using CommitmentLedger.Commitments;
using JasperFx.Events;
using Marten;
using Marten.Events.Aggregation;

namespace CommitmentLedger.Portfolio;

/// <summary>
/// What the portfolio counts of one commitment, kept by an async projection on Marten's daemon (one node runs it, placed by Wolverine): writes
/// never wait for it, and it may lag behind the events (every portfolio answer says by how much).
/// </summary>
public sealed record PortfolioEntry
{
    public Guid Id { get; init; }
    public long Version { get; set; }
    public IReadOnlyDictionary<string, string> Title { get; init; } = new Dictionary<string, string>();
    public CommitmentKind Kind { get; init; }
    public Strength Strength { get; init; }
    public LifecycleStatus Status { get; init; }
    public string Area { get; init; } = "";
    public string[] Parties { get; init; } = [];
    public DateOnly? DueOn { get; init; }
    public string? SourceKey { get; init; }
    public Guid? ParentId { get; init; }

    public static PortfolioEntry Of(Commitment c) => new()
    {
        Id = c.Id, Version = c.Version, Title = c.Title, Kind = c.Kind, Strength = c.Strength, Status = c.Status,
        Area = c.Area, Parties = c.Parties, DueOn = c.DueOn, SourceKey = c.Source?.Key, ParentId = c.ParentId,
    };
}

public partial class PortfolioProjection : SingleStreamProjection<PortfolioEntry, Guid>
{
    private static readonly CommitmentProjection Commitments = new();

    public PortfolioEntry Create(IEvent<CommitmentRecorded> e) => PortfolioEntry.Of(Commitments.Create(e));

    public PortfolioEntry Apply(StatusChanged e, PortfolioEntry current) => current with { Status = e.To };

    public PortfolioEntry Apply(DueDateSet e, PortfolioEntry current) => current with { DueOn = e.DueOn };

    /// <summary>A retraction can undo any entry: fold the stream again as recorded, as the commitment view does.</summary>
    public async Task<PortfolioEntry> Apply(IEvent<EntryRetracted> e, PortfolioEntry current, IQuerySession session)
    {
        var events = await session.Events.FetchStreamAsync(e.StreamId, e.Version);
        return CommitmentReplay.AsRecorded(events) is { } replayed ? PortfolioEntry.Of(replayed) : current;
    }
}

using CommitmentLedger.Infrastructure;
using JasperFx.Events;
using Marten;

namespace CommitmentLedger.Commitments;

/// <summary>
/// The two clocks of a read (DESIGN.md §2): <c>asOf</c>, what the ledger had recorded by that moment, and
/// <c>validAt</c>, the state in the world on that date. Together: what the ledger believed at asOf about validAt.
/// </summary>
public sealed record TimeTravel(DateTimeOffset? AsOf, DateOnly? ValidAt)
{
    public const string AsOfFormat = "must be an RFC 3339 timestamp such as 2026-03-01T12:00:00Z (encode '+' as %2B)";

    public bool IsNow => AsOf is null && ValidAt is null;

    /// <summary>Null, with the bad parameters named in <paramref name="errors"/>, when either is malformed or in the future.</summary>
    public static TimeTravel? Parse(string? asOf, string? validAt, DateTimeOffset now, FieldErrors errors)
    {
        DateTimeOffset? recordedBy = null;
        if (asOf is not null)
        {
            if (!Input.TryParseTimestamp(asOf, out var timestamp)) errors.Add("asOf", AsOfFormat);
            else if (timestamp > now) errors.Add("asOf", $"must not be in the future (it is now {now.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'})");
            else recordedBy = timestamp.ToUniversalTime();
        }
        DateOnly? worldOn = null;
        if (validAt is not null)
        {
            var today = DateOnly.FromDateTime(now.UtcDateTime);
            if (!Input.TryParseDate(validAt, out var date)) errors.Add("validAt", "must be a real date written YYYY-MM-DD");
            else if (date > today) errors.Add("validAt", $"must not be in the future (today is {today:yyyy-MM-dd})");
            else worldOn = date;
        }
        return errors.Any ? null : new TimeTravel(recordedBy, worldOn);
    }

    /// <summary>Overdue is judged on the date asked about: validAt, else the day of asOf, else today.</summary>
    public DateOnly OverdueOn(DateOnly today) =>
        ValidAt ?? (AsOf is { } asOf && DateOnly.FromDateTime(asOf.UtcDateTime) < today ? DateOnly.FromDateTime(asOf.UtcDateTime) : today);

    /// <summary>The commitment from its events recorded by asOf (the caller fetched only those).</summary>
    public Commitment? Fold(IReadOnlyList<IEvent> events) =>
        ValidAt is { } date ? CommitmentReplay.InTheWorld(events, date) : CommitmentReplay.AsRecorded(events);

    /// <summary>Reads one stream only, so the cost grows with that commitment's history, not with the ledger.</summary>
    public async Task<Commitment?> Load(IQuerySession session, Guid id, CancellationToken ct)
    {
        if (IsNow)
        {
            return await session.LoadAsync<Commitment>(id, ct);
        }
        var events = await session.Events.FetchStreamAsync(id, timestamp: AsOf, token: ct);
        return Fold(events);
    }

    public string Describe() => (AsOf, ValidAt) switch
    {
        ({ } asOf, { } validAt) => $"on {validAt:yyyy-MM-dd} as recorded by {asOf.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}",
        ({ } asOf, null) => $"as of {asOf.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}",
        (null, { } validAt) => $"on {validAt:yyyy-MM-dd}",
        _ => "now",
    };
}

using System.Buffers.Text;
using System.Text.Json;
using CommitmentLedger.Infrastructure;
using Marten;
using Marten.Linq.MatchesSql;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CommitmentLedger.Commitments;

public sealed record CommitmentPage(IReadOnlyList<CommitmentView> Items, string? NextCursor);

public static class ListCommitmentsEndpoint
{
    /// <summary>The filters of a list request, parsed; null means "not filtered on".</summary>
    private sealed record Filter(LifecycleStatus? Status, CommitmentKind? Kind, string? Area, string? Party, Guid? ParentId,
        bool? Overdue, string? Term);

    [WolverineGet("/api/commitments", OperationId = "listCommitments")]
    [Tags("Commitments")]
    [EndpointSummary("List commitments, oldest recorded first, filtered and paged with an opaque cursor; " +
                     "asOf and validAt list them as at a past moment or date")]
    [ProducesResponseType<CommitmentPage>(StatusCodes.Status200OK)]
    [ProblemResponses(400)]
    public static async Task<IResult> Get(string? status, string? kind, string? area, string? party, string? parentId,
        string? overdue, string? q, string? limit, string? cursor, string? asOf, string? validAt, IQuerySession session,
        TimeProvider clock, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var when = TimeTravel.Parse(asOf, validAt, clock.GetUtcNow(), errors);
        LifecycleStatus? statusFilter = null;
        CommitmentKind? kindFilter = null;
        Guid? parentFilter = null;
        bool? overdueFilter = null;
        string? term = null;

        if (status is not null)
        {
            if (Vocabulary.TryParse<LifecycleStatus>(status, out var s)) statusFilter = s;
            else errors.Add("status", $"must be one of: {Vocabulary.Words<LifecycleStatus>()}");
        }
        if (kind is not null)
        {
            if (Vocabulary.TryParse<CommitmentKind>(kind, out var k)) kindFilter = k;
            else errors.Add("kind", $"must be one of: {Vocabulary.Words<CommitmentKind>()}");
        }
        if (area is not null)
        {
            Input.RequireText(errors, "area", area, Limits.Area);
        }
        if (party is not null)
        {
            Input.RequireText(errors, "party", party, 32);
        }
        if (parentId is not null)
        {
            if (Guid.TryParse(parentId, out var parent)) parentFilter = parent;
            else errors.Add("parentId", "must be a commitment id (a GUID)");
        }
        if (overdue is not null)
        {
            if (bool.TryParse(overdue, out var wanted)) overdueFilter = wanted;
            else errors.Add("overdue", "must be true or false");
        }
        if (q is not null)
        {
            if (string.IsNullOrWhiteSpace(q) || q.Length > Limits.Query || Input.HasControlCharacters(q))
            {
                errors.Add("q", $"must be 1 to {Limits.Query} characters, without control characters");
            }
            else
            {
                term = FreeText.Normalize(q);
            }
        }

        var pageSize = Input.PageSize(errors, limit);
        Guid? after = null;
        if (cursor is not null)
        {
            if (Cursor.TryRead(cursor, out var last)) after = last;
            else errors.Add("cursor", "is not a cursor this service gave out; start again without it");
        }
        if (when is null || errors.Any)
        {
            return Problems.Invalid(errors);
        }

        var filter = new Filter(statusFilter, kindFilter, area, party, parentFilter, overdueFilter, term);
        var today = when.OverdueOn(clock.Today());
        var items = when.IsNow
            ? await Current(session, filter, today, after, pageSize, ct)
            : await Past(session, filter, when, today, after, pageSize, ct);
        var next = items.Count > pageSize ? Cursor.Write(items[pageSize - 1].Id) : null;
        return Results.Ok(new CommitmentPage(items.Take(pageSize).ToList(), next));
    }

    /// <summary>The stored views, every filter an index lookup; one more than a page, to know whether another follows.</summary>
    private static async Task<List<CommitmentView>> Current(IQuerySession session, Filter filter, DateOnly today,
        Guid? after, int pageSize, CancellationToken ct)
    {
        var query = Unchanging(session.Query<Commitment>(), filter, after);
        if (filter.Status is { } s) query = query.Where(x => x.Status == s);
        if (filter.Overdue == true) query = query.Where(x => x.DueOn < today && !x.Status.IsOneOf(Terminal));
        if (filter.Overdue == false) query = query.Where(x => x.DueOn == null || x.DueOn >= today || x.Status.IsOneOf(Terminal));
        if (filter.Term is { } term)
        {
            query = FreeText.IsBigramTerm(term)
                ? query.Where(x => x.MatchesSql(BigramsContain, JsonSerializer.Serialize(new[] { term })))
                : query.Where(x => x.SearchText.Contains(term));
        }
        var rows = await query.OrderBy(x => x.Id).Take(pageSize + 1).ToListAsync(ct);
        return rows.Select(c => CommitmentView.Of(c, today)).ToList();
    }

    /// <summary>
    /// The list as at a past moment or date: candidates come from the stored views by what never changes (kind,
    /// area, parties, parent) and by when they were recorded and made; each candidate's stream is then folded
    /// (<see cref="TimeTravel"/>) and filtered in memory on what may have changed since (status, overdue, titles).
    /// Candidates are read in batches until a page is full, so the cost grows with the candidates scanned.
    /// </summary>
    private static async Task<List<CommitmentView>> Past(IQuerySession session, Filter filter, TimeTravel when,
        DateOnly today, Guid? after, int pageSize, CancellationToken ct)
    {
        var batchSize = Math.Max(pageSize + 1, 100);
        var items = new List<CommitmentView>();
        while (items.Count <= pageSize)
        {
            var query = Unchanging(session.Query<Commitment>(), filter, after);
            if (when.AsOf is { } asOf) query = query.Where(x => x.RecordedAt <= asOf);
            if (when.ValidAt is { } validAt) query = query.Where(x => x.MadeOn <= validAt);
            var candidates = await query.OrderBy(x => x.Id).Select(x => x.Id).Take(batchSize).ToListAsync(ct);
            if (candidates.Count == 0)
            {
                break;
            }
            var ids = candidates.ToArray();
            var events = session.Events.QueryAllRawEvents().Where(e => e.StreamId.IsOneOf(ids));
            if (when.AsOf is { } recordedBy) events = events.Where(e => e.Timestamp <= recordedBy);
            var streams = (await events.OrderBy(e => e.Sequence).ToListAsync(ct)).ToLookup(e => e.StreamId);
            foreach (var id in candidates)
            {
                if (when.Fold(streams[id].ToList()) is { } commitment && Matches(commitment, filter, today))
                {
                    items.Add(CommitmentView.Of(commitment, today));
                    if (items.Count > pageSize) break;
                }
            }
            after = candidates[^1];
        }
        return items;
    }

    // Containment in one array, in the very expression of its GIN index (LedgerStore), where Marten's own LINQ asks the
    // whole document and so needs a GIN index over all of it: that index took 3.5 s of a 10 s rebuild at 100,000 views.
    private const string PartiesContain = "(d.data ->> 'parties')::jsonb @> ?::jsonb";
    private const string BigramsContain = "(d.data ->> 'searchBigrams')::jsonb @> ?::jsonb";

    /// <summary>The filters on what a commitment is recorded with and never changes, and the cursor.</summary>
    private static IQueryable<Commitment> Unchanging(IQueryable<Commitment> query, Filter filter, Guid? after)
    {
        if (filter.Kind is { } k) query = query.Where(x => x.Kind == k);
        if (filter.Area is { } area) query = query.Where(x => x.Area == area);
        if (filter.Party is { } party) query = query.Where(x => x.MatchesSql(PartiesContain, JsonSerializer.Serialize(new[] { party })));
        if (filter.ParentId is { } parent) query = query.Where(x => x.ParentId == parent);
        if (after is { } last) query = query.Where(x => x.Id.CompareTo(last) > 0);
        return query;
    }

    private static bool Matches(Commitment c, Filter filter, DateOnly today) =>
        (filter.Status is not { } status || c.Status == status) &&
        (filter.Overdue is not { } overdue || c.IsOverdueOn(today) == overdue) &&
        (filter.Term is not { } term || (FreeText.IsBigramTerm(term) ? c.SearchBigrams.Contains(term) : c.SearchText.Contains(term)));

    private static readonly LifecycleStatus[] Terminal =
        Enum.GetValues<LifecycleStatus>().Where(Lifecycle.IsTerminal).ToArray();

    /// <summary>The cursor is the last id of the page (ids are time-ordered v7 GUIDs), base64url-encoded.</summary>
    private static class Cursor
    {
        public static string Write(Guid id) => Base64Url.EncodeToString(id.ToByteArray(bigEndian: true));

        public static bool TryRead(string text, out Guid id)
        {
            Span<byte> bytes = stackalloc byte[16];
            var valid = text.Length == 22 && Base64Url.TryDecodeFromChars(text, bytes, out var written) && written == 16;
            id = valid ? new Guid(bytes, bigEndian: true) : Guid.Empty;
            return valid;
        }
    }
}

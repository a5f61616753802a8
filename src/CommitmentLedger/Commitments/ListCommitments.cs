using System.Buffers.Text;
using CommitmentLedger.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CommitmentLedger.Commitments;

public sealed record CommitmentPage(IReadOnlyList<CommitmentView> Items, string? NextCursor);

public static class ListCommitmentsEndpoint
{
    [WolverineGet("/api/commitments", OperationId = "listCommitments")]
    [Tags("Commitments")]
    [EndpointSummary("List commitments, oldest recorded first, filtered and paged with an opaque cursor")]
    [ProducesResponseType<CommitmentPage>(StatusCodes.Status200OK)]
    [ProducesResponseType<ValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public static async Task<IResult> Get(string? status, string? kind, string? area, string? party, string? parentId,
        string? overdue, string? q, string? limit, string? cursor, IQuerySession session, TimeProvider clock,
        CancellationToken ct)
    {
        var errors = new FieldErrors();
        var today = clock.Today();
        var query = session.Query<Commitment>().AsQueryable();

        if (status is not null)
        {
            if (Vocabulary.TryParse<LifecycleStatus>(status, out var s)) query = query.Where(x => x.Status == s);
            else errors.Add("status", $"must be one of: {Vocabulary.Words<LifecycleStatus>()}");
        }
        if (kind is not null)
        {
            if (Vocabulary.TryParse<CommitmentKind>(kind, out var k)) query = query.Where(x => x.Kind == k);
            else errors.Add("kind", $"must be one of: {Vocabulary.Words<CommitmentKind>()}");
        }
        if (area is not null)
        {
            Input.RequireText(errors, "area", area, Limits.Area);
            query = query.Where(x => x.Area == area);
        }
        if (party is not null)
        {
            Input.RequireText(errors, "party", party, 32);
            query = query.Where(x => x.Parties.Contains(party));
        }
        if (parentId is not null)
        {
            if (Guid.TryParse(parentId, out var parent)) query = query.Where(x => x.ParentId == parent);
            else errors.Add("parentId", "must be a commitment id (a GUID)");
        }
        if (overdue is not null)
        {
            if (!bool.TryParse(overdue, out var wanted)) errors.Add("overdue", "must be true or false");
            else if (wanted) query = query.Where(x => x.DueOn < today && !x.Status.IsOneOf(Terminal));
            else query = query.Where(x => x.DueOn == null || x.DueOn >= today || x.Status.IsOneOf(Terminal));
        }
        if (q is not null)
        {
            if (string.IsNullOrWhiteSpace(q) || q.Length > Limits.Query || Input.HasControlCharacters(q))
            {
                errors.Add("q", $"must be 1 to {Limits.Query} characters, without control characters");
            }
            else
            {
                var term = FreeText.Normalize(q);
                query = FreeText.IsBigramTerm(term)
                    ? query.Where(x => x.SearchBigrams.Contains(term))
                    : query.Where(x => x.SearchText.Contains(term));
            }
        }

        var pageSize = Limits.DefaultPage;
        if (limit is not null && (!int.TryParse(limit, out pageSize) || pageSize is < 1 or > Limits.MaxPage))
        {
            errors.Add("limit", $"must be a whole number from 1 to {Limits.MaxPage}");
        }
        if (cursor is not null)
        {
            if (Cursor.TryRead(cursor, out var after)) query = query.Where(x => x.Id.CompareTo(after) > 0);
            else errors.Add("cursor", "is not a cursor this service gave out; start again without it");
        }
        if (errors.Any)
        {
            return Problems.Invalid(errors);
        }

        var rows = await query.OrderBy(x => x.Id).Take(pageSize + 1).ToListAsync(ct);
        var items = rows.Take(pageSize).Select(c => CommitmentView.Of(c, today)).ToList();
        var next = rows.Count > pageSize ? Cursor.Write(items[^1].Id) : null;
        return Results.Ok(new CommitmentPage(items, next));
    }

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

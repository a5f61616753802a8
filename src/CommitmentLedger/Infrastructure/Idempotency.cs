using System.Security.Cryptography;
using System.Text;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CommitmentLedger.Infrastructure;

/// <summary>A POST made under an <c>Idempotency-Key</c>: stored in the transaction of the write it made, then its response.</summary>
public sealed class IdempotentRequest
{
    /// <summary>The user and the key, hashed: one client's keys never meet another's.</summary>
    public string Id { get; set; } = "";
    public string Key { get; set; } = "";
    public string User { get; set; } = "";
    /// <summary>SHA-256 of the method, path and body: a retry must send the same.</summary>
    public string Fingerprint { get; set; } = "";
    public DateTimeOffset ReceivedAt { get; set; }

    public int? Status { get; set; }
    public string? ContentType { get; set; }
    public string? Location { get; set; }
    public string? ETag { get; set; }
    public string? Body { get; set; }
}

/// <summary>
/// Wolverine middleware on every POST. With an <c>Idempotency-Key</c> header, a retry of a request
/// already applied (same user, key, method, path and body) gets the first response again and writes
/// nothing; the same key with anything different is a 422. The key joins the endpoint's Marten session,
/// so it is committed in the same transaction as the events or not at all (a failed write may be retried).
/// </summary>
public static class Idempotency
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    public const int MaxKeyLength = 200;
    internal const string NewRequestItem = "ledger.idempotent-request";

    public static async Task<IResult> Before(HttpContext http, IDocumentSession session, TimeProvider clock,
        IdempotencyRetention retention)
    {
        var key = http.Request.Headers[Header].ToString();
        if (key.Length == 0)
        {
            return WolverineContinue.Result();
        }
        if (key.Length > MaxKeyLength || key.Any(char.IsControl))
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid Idempotency-Key",
                $"An Idempotency-Key is 1 to {MaxKeyLength} characters without control characters (a UUID is a good choice).");
        }

        var user = RequestMetadata.UserOf(http);
        var fingerprint = await Fingerprint(http);
        var id = Hex($"{user}\n{key}");
        var earlier = await session.LoadAsync<IdempotentRequest>(id, http.RequestAborted);
        if (earlier is not null && retention.Expired(earlier, clock.GetUtcNow()))
        {
            // Forgotten: the key is free for a new request, as if the purge had already run.
            session.Delete(earlier);
            earlier = null;
        }
        if (earlier is null)
        {
            var request = new IdempotentRequest
            {
                Id = id, Key = key, User = user, Fingerprint = fingerprint, ReceivedAt = clock.GetUtcNow(),
            };
            // Insert, not Store: two concurrent requests under one key cannot both commit (the second is a 409).
            session.Insert(request);
            http.Items[NewRequestItem] = request;
            return WolverineContinue.Result();
        }
        if (earlier.Fingerprint != fingerprint)
        {
            return Problem(StatusCodes.Status422UnprocessableEntity, "Idempotency-Key reused for a different request",
                $"The Idempotency-Key '{key}' was used at {earlier.ReceivedAt:O} for a request with another method, path or body. " +
                "Use a new key for a new request; a retry must send exactly the same request.");
        }
        if (earlier.Status is null)
        {
            return Problem(StatusCodes.Status409Conflict, "The first request with this Idempotency-Key has no stored response",
                "A request with this Idempotency-Key was applied, but its response is not stored (it is still running, or the " +
                "service stopped right after committing it). Nothing was written again; read the resource to see the result.");
        }
        return new Replay(earlier);
    }

    private static async Task<string> Fingerprint(HttpContext http)
    {
        // The endpoint reads the body afterwards: keep it readable from the start.
        http.Request.EnableBuffering();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes($"{http.Request.Method} {http.Request.Path}{http.Request.QueryString}\n"));
        var buffer = new byte[8192];
        int read;
        while ((read = await http.Request.Body.ReadAsync(buffer, http.RequestAborted)) > 0)
        {
            sha.AppendData(buffer, 0, read);
        }
        http.Request.Body.Position = 0;
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static string Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static IResult Problem(int status, string title, string detail) =>
        Results.Problem(new ProblemDetails { Status = status, Title = title, Detail = detail });

    private sealed class Replay(IdempotentRequest first) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.StatusCode = first.Status!.Value;
            http.Response.Headers[ReplayedHeader] = "true";
            if (first.Location is not null) http.Response.Headers.Location = first.Location;
            if (first.ETag is not null) http.Response.Headers.ETag = first.ETag;
            if (first.ContentType is not null) http.Response.ContentType = first.ContentType;
            if (first.Body is { Length: > 0 } body) await http.Response.WriteAsync(body, http.RequestAborted);
        }
    }
}

/// <summary>
/// Keeps the response of a POST that stored a new <see cref="IdempotentRequest"/>: the endpoint writes
/// into a buffer, the response is added to the request's record, and only then does the client get it,
/// so a retry after a 2xx always finds the response.
/// </summary>
public sealed class IdempotentResponses(RequestDelegate next, ILogger<IdempotentResponses> logger)
{
    public async Task InvokeAsync(HttpContext http, IDocumentStore store)
    {
        if (!HttpMethods.IsPost(http.Request.Method) || !http.Request.Headers.ContainsKey(Idempotency.Header))
        {
            await next(http);
            return;
        }
        var original = http.Response.Body;
        using var buffer = new MemoryStream();
        http.Response.Body = buffer;
        try
        {
            await next(http);
        }
        finally
        {
            http.Response.Body = original;
        }

        if (http.Items[Idempotency.NewRequestItem] is IdempotentRequest request)
        {
            try
            {
                await using var session = store.LightweightSession();
                if (http.Response.StatusCode is >= 200 and < 300)
                {
                    request.Status = http.Response.StatusCode;
                    request.ContentType = http.Response.ContentType;
                    request.Location = http.Response.Headers.Location.ToString() is { Length: > 0 } location ? location : null;
                    request.ETag = http.Response.Headers.ETag.ToString() is { Length: > 0 } etag ? etag : null;
                    request.Body = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
                    session.Update(request);
                }
                else
                {
                    // A refused request (a 400 answered by the endpoint still commits its session) wrote nothing:
                    // it leaves no key either, so the corrected request may use it.
                    session.Delete<IdempotentRequest>(request.Id);
                }
                await session.SaveChangesAsync(http.RequestAborted);
            }
            catch (Exception e)
            {
                // The write itself is committed: answer it. A retry gets a 409 naming the lost response, never a second write.
                logger.LogWarning(e, "The response to {Method} {Path} under an Idempotency-Key was not stored", http.Request.Method, http.Request.Path);
            }
        }
        buffer.Position = 0;
        await buffer.CopyToAsync(original, http.RequestAborted);
    }
}

using System.Diagnostics;
using Marten;

namespace CommitmentLedger.Infrastructure;

/// <summary>
/// Wolverine middleware on every write: the events it appends carry who recorded them (the name claim of
/// the bearer token; writes always need one) and the correlation id of the request
/// (the <c>X-Correlation-ID</c> header when the client sends one, else the W3C trace id).
/// </summary>
public static class RequestMetadata
{
    public const string CorrelationHeader = "X-Correlation-ID";
    public const string Anonymous = "anonymous";

    public static string UserOf(HttpContext http) =>
        http.User.Identity is { IsAuthenticated: true, Name: { } name } ? name : Anonymous;

    public static void Before(HttpContext http, IDocumentSession session)
    {
        session.LastModifiedBy = UserOf(http);
        var header = http.Request.Headers[CorrelationHeader].ToString();
        session.CorrelationId = header.Length is > 0 and <= 200
            ? header
            : Activity.Current?.TraceId.ToHexString() ?? http.TraceIdentifier;
        http.Response.Headers[CorrelationHeader] = session.CorrelationId;
    }
}

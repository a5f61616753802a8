using CommitmentLedger.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CommitmentLedger.Audit;

/// <summary>Streams the lines to the response as each page is read; a failure midway cuts the stream short.</summary>
public sealed class AuditStream(IQuerySession session, AuditWindow window) : IResult
{
    public async Task ExecuteAsync(HttpContext http)
    {
        http.Response.ContentType = AuditLog.ContentType;
        await AuditLog.WriteAsync(session, window, http.Response.Body, progress: null, http.RequestAborted);
    }
}

public static class ExportAuditEndpoint
{
    [WolverineGet("/api/audit", OperationId = "exportAudit")]
    [Tags("Audit")]
    [EndpointSummary("Every entry of every commitment recorded in [from, to), in sequence order, as JSON Lines")]
    [ProducesResponseType<AuditLine>(StatusCodes.Status200OK, AuditLog.ContentType)]
    [ProblemResponses(400)]
    public static IResult Get(string? from, string? to, IQuerySession session, TimeProvider clock)
    {
        var errors = new FieldErrors();
        return AuditWindow.Parse(from, to, clock.GetUtcNow(), errors) is { } window
            ? new AuditStream(session, window)
            : Problems.Invalid(errors);
    }
}

using CommitmentLedger.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;

namespace CommitmentLedger.Commitments;

public sealed record EvidenceInput(string? Title, string? Url);

public sealed record ReportProgressRequest(string? Note, string? EffectiveOn, EvidenceInput[]? Evidence);

public sealed record ReportProgress(string Note, DateOnly? EffectiveOn, EvidenceLink[] Evidence);

public static class ReportProgressEndpoint
{
    public static ReportProgress? Parse(ReportProgressRequest? body, FieldErrors errors)
    {
        if (!Input.RequireBody(errors, body)) return null;
        Input.RequireText(errors, "note", body.Note, Limits.Note);
        DateOnly? effectiveOn = null;
        if (body.EffectiveOn is not null)
        {
            if (Input.TryParseDate(body.EffectiveOn, out var date)) effectiveOn = date;
            else errors.Add("effectiveOn", "must be a real date written YYYY-MM-DD");
        }
        var evidence = body.Evidence ?? [];
        if (evidence.Length > Limits.Evidence)
        {
            errors.Add("evidence", $"must have at most {Limits.Evidence} links (got {evidence.Length})");
        }
        for (var i = 0; i < evidence.Length; i++)
        {
            if (evidence[i] is null)
            {
                errors.Add($"evidence[{i}]", "must be an object {title, url}");
                continue;
            }
            Input.RequireText(errors, $"evidence[{i}].title", evidence[i].Title, Limits.SourceText);
            Input.CheckUrl(errors, $"evidence[{i}].url", evidence[i].Url, required: true);
        }
        return errors.Any
            ? null
            : new ReportProgress(body.Note!.Trim(), effectiveOn, evidence.Select(e => new EvidenceLink(e.Title!.Trim(), e.Url!)).ToArray());
    }

    public static Decision Decide(Commitment state, ReportProgress command, DateOnly today)
    {
        if (state.IsTerminal)
        {
            return new Decision.Conflict(
                $"The commitment is {Vocabulary.Word(state.Status)}, a terminal status: no further progress can be reported.");
        }
        var effectiveOn = command.EffectiveOn ?? today;
        return (Decision?)EffectiveDates.Check(state, effectiveOn, today)
               ?? Decision.Accept(new ProgressReported(command.Note, effectiveOn, command.Evidence));
    }

    [WolverinePost("/api/commitments/{id}/progress", OperationId = "reportProgress")]
    [Tags("Commitments")]
    [EndpointSummary("Report progress on a commitment")]
    [ProducesResponseType<CommitmentView>(StatusCodes.Status200OK)]
    [ProblemResponses(400, 404, 409, 413, 412)]
    public static (IResult, Events) Post(ReportProgressRequest body, [WriteAggregate("id")] Commitment commitment,
        IDocumentSession session, HttpContext http, TimeProvider clock)
        => CommitmentWrite.Run(commitment, http, session,
            errors => Parse(body, errors),
            command => Decide(commitment, command, clock.Today()));
}

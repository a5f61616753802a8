using CommitmentLedger.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;

namespace CommitmentLedger.Commitments;

public sealed record RecordAssessmentRequest(
    string? Completion, string? Verdict, string? Assessor, string? Method, string? Period, string? Note);

public sealed record RecordAssessment(
    Completion Completion, string? Verdict, string Assessor, string Method, AssessmentPeriod Period, string Note);

public static class RecordAssessmentEndpoint
{
    public const string PeriodFormat = "is required: the period assessed as two dates, first and last day, written YYYY-MM-DD/YYYY-MM-DD";

    public static RecordAssessment? Parse(RecordAssessmentRequest? body, FieldErrors errors)
    {
        if (!Input.RequireBody(errors, body)) return null;
        if (!Vocabulary.TryParse<Completion>(body.Completion, out var completion))
        {
            errors.Add("completion", $"must be one of: {Vocabulary.Words<Completion>()}");
        }
        Input.CheckText(errors, "verdict", body.Verdict, Limits.SourceText);
        Input.RequireText(errors, "assessor", body.Assessor, Limits.Assessor);
        Input.RequireText(errors, "method", body.Method, Limits.SourceText);
        Input.RequireText(errors, "note", body.Note, Limits.Note);
        var period = ParsePeriod(body.Period);
        if (period is null)
        {
            errors.Add("period", PeriodFormat);
        }
        else if (period.From > period.To)
        {
            errors.Add("period", "must start on or before the day it ends");
        }
        return errors.Any
            ? null
            : new RecordAssessment(completion, string.IsNullOrWhiteSpace(body.Verdict) ? null : body.Verdict.Trim(),
                body.Assessor!.Trim(), body.Method!.Trim(), period!, body.Note!.Trim());
    }

    /// <summary>An ISO 8601 interval of two dates: <c>2022-01-01/2022-12-31</c>.</summary>
    public static AssessmentPeriod? ParsePeriod(string? text) =>
        text?.Split('/') is [var from, var to] && Input.TryParseDate(from, out var start) && Input.TryParseDate(to, out var end)
            ? new AssessmentPeriod(start, end)
            : null;

    /// <summary>Any status may be assessed, terminal ones included: an assessment judges, it does not move the lifecycle.</summary>
    public static Decision Decide(Commitment state, RecordAssessment command, DateOnly today)
    {
        if (command.Period.To < state.MadeOn)
        {
            return new Decision.Invalid("period", $"must not end before the commitment was made ({state.MadeOn:yyyy-MM-dd})");
        }
        if (command.Period.To > today)
        {
            return new Decision.Invalid("period", $"must not end in the future (today is {today:yyyy-MM-dd}): a period is assessed once it is over");
        }
        return Decision.Accept(new AssessmentRecorded(command.Completion, command.Verdict, command.Assessor, command.Method,
            command.Period, command.Note));
    }

    [WolverinePost("/api/commitments/{id}/assessments", OperationId = "recordAssessment")]
    [Tags("Commitments")]
    [EndpointSummary("Record an assessment of a commitment on the OGP completion scale, separate from its lifecycle")]
    [ProducesResponseType<CommitmentView>(StatusCodes.Status200OK)]
    [ProblemResponses(400, 404, 409, 413, 412)]
    public static (IResult, Events) Post(RecordAssessmentRequest body, [WriteAggregate("id")] Commitment commitment,
        IDocumentSession session, HttpContext http, TimeProvider clock)
        => CommitmentWrite.Run(commitment, http, session,
            errors => Parse(body, errors),
            command => Decide(commitment, command, clock.Today()));
}

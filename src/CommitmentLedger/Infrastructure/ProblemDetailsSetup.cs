using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace CommitmentLedger.Infrastructure;

/// <summary>Every problem carries a detail a person can act on, and a body that is not valid JSON names the field.</summary>
public static partial class ProblemDetailsSetup
{
    [GeneratedRegex(@"Path: \$\.?(?<path>[^ |]*)")]
    private static partial Regex JsonPath();

    public static void Customize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        var request = context.HttpContext.Request;
        problem.Detail ??= problem.Status switch
        {
            StatusCodes.Status400BadRequest => "The request could not be read. Send a JSON body as described in /openapi/v1.json.",
            StatusCodes.Status401Unauthorized =>
                "This request needs a valid bearer token (Authorization: Bearer <JWT>); see README: authentication.",
            StatusCodes.Status403Forbidden =>
                $"Your token's role may not {request.Method} {request.Path}. Roles: reader < recorder < assessor < admin.",
            StatusCodes.Status404NotFound =>
                $"Nothing is found at {request.Path}. Commitment ids are GUIDs; see /openapi/v1.json for the paths.",
            StatusCodes.Status405MethodNotAllowed => $"{request.Method} is not allowed on this path.",
            StatusCodes.Status415UnsupportedMediaType => "Send the body as JSON with Content-Type: application/json.",
            _ => null,
        };

        // Wolverine answers unreadable JSON with "Invalid JSON format" and the serializer's message, which
        // names the path ("Path: $.parties"); lift it into the same errors map as the validation errors.
        if (problem.Status == StatusCodes.Status400BadRequest && !problem.Extensions.ContainsKey("errors") &&
            problem.Detail is { } detail && JsonPath().Match(detail) is { Success: true } match)
        {
            var field = match.Groups["path"].Value is { Length: > 0 } path ? path : "body";
            problem.Detail = field == "body"
                ? "The body is not a complete JSON object. Send a JSON body as described in /openapi/v1.json."
                : $"The body could not be read: '{field}' does not have the expected JSON type or syntax.";
            problem.Extensions["errors"] = new Dictionary<string, string[]>
            {
                [field] = ["is not valid JSON of the expected type (see the schema in /openapi/v1.json)"],
            };
        }
    }
}

using Microsoft.AspNetCore.Mvc;

namespace CommitmentLedger.Infrastructure;

/// <summary>Collects every bad field of a request so one 400 names them all.</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public FieldErrors Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var messages))
        {
            _errors[field] = messages = [];
        }
        messages.Add(message);
        return this;
    }

    public IDictionary<string, string[]> ToDictionary() => _errors.ToDictionary(x => x.Key, x => x.Value.ToArray());

    public IReadOnlyCollection<string> Fields => _errors.Keys;
}

public static class Problems
{
    public static IResult Invalid(FieldErrors errors) => Results.Problem(new ValidationProblemDetails(errors.ToDictionary())
    {
        Status = StatusCodes.Status400BadRequest,
        Title = "The request is invalid",
        Detail = $"Fix these fields and send again: {string.Join(", ", errors.Fields)}.",
    });

    public static IResult Invalid(string field, string message) => Invalid(new FieldErrors().Add(field, message));

    public static IResult NotFound(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: detail);

    public static IResult Conflict(string detail, IDictionary<string, object?>? extensions = null) =>
        Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict with the current state",
            detail: detail, extensions: extensions);

    public static IResult PreconditionFailed(long currentVersion) => Results.Problem(
        statusCode: StatusCodes.Status412PreconditionFailed,
        title: "The commitment has changed",
        detail: $"If-Match names a version that is no longer current; the current version is {currentVersion}. " +
                "Read the commitment again and retry with its ETag.",
        extensions: new Dictionary<string, object?> { ["currentVersion"] = currentVersion });
}

using System.Text.Json;
using JasperFx;
using Marten.Exceptions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace CommitmentLedger.Infrastructure;

/// <summary>
/// Turns what escapes an endpoint into problem+json. What a client sent never becomes a 500:
/// unreadable JSON is a 400, an oversized body a 413, a lost race a 409, an unreachable database a 503.
/// </summary>
public sealed class ExceptionProblems(IProblemDetailsService problems, ILogger<ExceptionProblems> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var problem = Describe(exception);
        if (problem.Status >= 500)
        {
            logger.LogError(exception, "Request {Method} {Path} failed", http.Request.Method, http.Request.Path);
        }
        http.Response.StatusCode = problem.Status!.Value;
        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
        {
            http.Response.Headers.RetryAfter = "5";
        }
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = exception });
    }

    public static ProblemDetails Describe(Exception exception)
    {
        switch (Unwrap(exception))
        {
            case BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }:
                return TooLarge();
            case JsonException json:
                return Invalid(json.Path is { Length: > 1 } path ? path.TrimStart('$', '.') : "body",
                    "is not valid JSON of the expected shape" + (json.Path is null ? "" : $" (at {json.Path})"));
            case BadHttpRequestException bad:
                return new ProblemDetails { Status = bad.StatusCode, Title = "Bad request", Detail = bad.Message };
            case ConcurrencyException:
                return Conflict("Another change to this commitment was saved first. Read it again and retry.");
            case PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } unique:
                return Conflict(unique.ConstraintName?.Contains("external_ref") == true
                    ? "Another commitment with this externalRef was saved first; an externalRef is unique."
                    : "Another change to this commitment was saved first. Read it again and retry.");
            case PostgresException { SqlState: PostgresErrorCodes.DataCorrupted } corrupted:
                // The hash chain refused to extend a stream whose last event has no hash: tampering, not the client.
                return new ProblemDetails
                {
                    Status = StatusCodes.Status500InternalServerError,
                    Title = "The ledger's integrity check failed",
                    Detail = $"Nothing was written: {corrupted.MessageText}. The stream's hash chain is broken; " +
                             "an administrator should run `verify`.",
                };
            case PostgresException { SqlState: var state } when state.StartsWith("22"):
                return new ProblemDetails
                {
                    Status = StatusCodes.Status400BadRequest,
                    Title = "The request is invalid",
                    Detail = "The request holds a value the database cannot store or compare (for example a NUL character); nothing was written.",
                };
            case var e when IsDatabaseUnavailable(e):
                return new ProblemDetails
                {
                    Status = StatusCodes.Status503ServiceUnavailable,
                    Title = "The database is unavailable",
                    Detail = "The ledger cannot reach its database right now; nothing was written. Retry shortly.",
                };
            default:
                return new ProblemDetails
                {
                    Status = StatusCodes.Status500InternalServerError,
                    Title = "Internal error",
                    Detail = "The ledger failed to handle this request; it has been logged.",
                };
        }
    }

    public static ProblemDetails TooLarge() => new()
    {
        Status = StatusCodes.Status413PayloadTooLarge,
        Title = "Request body too large",
        Detail = $"Request bodies are limited to {Limits.RequestBodyBytes / 1024} KiB.",
    };

    private static ProblemDetails Invalid(string field, string message) => new ValidationProblemDetails(
        new Dictionary<string, string[]> { [field] = [message] })
    {
        Status = StatusCodes.Status400BadRequest,
        Title = "The request is invalid",
        Detail = $"The body could not be read: {field} {message}.",
    };

    private static ProblemDetails Conflict(string detail) => new()
    {
        Status = StatusCodes.Status409Conflict,
        Title = "Conflict with the current state",
        Detail = detail,
    };

    /// <summary>Connection failures and server shutdowns; an error in a statement the server ran is not one.</summary>
    private static bool IsDatabaseUnavailable(Exception exception) => exception switch
    {
        PostgresException postgres => postgres.SqlState.StartsWith("08") || postgres.SqlState.StartsWith("57P") ||
                                      postgres.SqlState.StartsWith("53"),
        NpgsqlException or TimeoutException or System.Net.Sockets.SocketException => true,
        _ => exception.InnerException is { } inner && IsDatabaseUnavailable(inner),
    };

    /// <summary>The most telling exception in a chain of wrappers (Marten wraps Npgsql's, ASP.NET wraps JSON's).</summary>
    private static Exception Unwrap(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is JsonException or ConcurrencyException or PostgresException
                or BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
            {
                return e;
            }
        }
        return exception is MartenCommandException { InnerException: NpgsqlException npgsql } ? npgsql : exception;
    }
}

using Microsoft.AspNetCore.Http.Features;

namespace CommitmentLedger.Infrastructure;

/// <summary>
/// 413 for bodies over 64 KiB. Kestrel enforces the limit while reading (see Program.cs); this answers
/// early when Content-Length already says so, and sets the same limit on servers that honour the feature.
/// </summary>
public sealed class RequestBodyLimit(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext http)
    {
        if (http.Request.ContentLength > Limits.RequestBodyBytes)
        {
            http.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
            await problems.WriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = ExceptionProblems.TooLarge() });
            return;
        }
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = Limits.RequestBodyBytes;
        }
        await next(http);
    }
}

using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace CommitmentLedger.Infrastructure;

/// <summary>The <c>RateLimit</c> section: each client (the token's user, else the remote address) gets so many requests a window.</summary>
public sealed class RateLimitSettings
{
    public const string Section = "RateLimit";

    /// <summary>Requests a client may make per window; 0 turns the limit off.</summary>
    public int PermitsPerWindow { get; set; } = 1200;
    public int WindowSeconds { get; set; } = 10;
}

/// <summary>ASP.NET Core's rate limiter, one fixed window per client; a refused request is a 429 problem with Retry-After.</summary>
public static class ClientRateLimit
{
    public static void AddClientRateLimit(this WebApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection(RateLimitSettings.Section).Get<RateLimitSettings>() ?? new RateLimitSettings();
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                settings.PermitsPerWindow <= 0 || http.Request.Path.StartsWithSegments("/health")
                    ? RateLimitPartition.GetNoLimiter("unlimited")
                    : RateLimitPartition.GetFixedWindowLimiter(ClientOf(http), _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = settings.PermitsPerWindow,
                        Window = TimeSpan.FromSeconds(settings.WindowSeconds),
                        QueueLimit = 0,
                    }));
            limiter.OnRejected = async (context, ct) =>
            {
                var http = context.HttpContext;
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait)
                    ? (int)Math.Ceiling(wait.TotalSeconds)
                    : settings.WindowSeconds;
                http.Response.Headers.RetryAfter = Math.Max(1, retryAfter).ToString(CultureInfo.InvariantCulture);
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many requests",
                        Detail = $"This client may make {settings.PermitsPerWindow} requests every {settings.WindowSeconds} s. " +
                                 "Retry after the number of seconds in Retry-After.",
                    },
                });
            };
        });
    }

    private static string ClientOf(HttpContext http) =>
        http.User.Identity is { IsAuthenticated: true, Name: { } name }
            ? "user:" + name
            : "ip:" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
}

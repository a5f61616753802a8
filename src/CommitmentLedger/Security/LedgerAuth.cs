using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;
using Wolverine.Http;

namespace CommitmentLedger.Security;

/// <summary>The <c>Auth</c> section of the configuration.</summary>
public sealed class AuthSettings
{
    public const string Section = "Auth";

    /// <summary>An OpenID Connect authority whose published keys sign the tokens (e.g. https://login.example.org/realm).</summary>
    public string? Authority { get; set; }

    /// <summary>A shared HMAC-SHA256 key (at least 32 bytes of UTF-8) for tokens minted without an authority.</summary>
    public string? SigningKey { get; set; }

    public string Issuer { get; set; } = "commitmentledger";
    public string Audience { get; set; } = "commitmentledger";

    /// <summary>Reads need no token (a public deployment); writes still do.</summary>
    public bool AnonymousRead { get; set; }
}

/// <summary>
/// JWT bearer authentication and the four cumulative roles. Which role an endpoint needs is decided
/// here, once, from its method and route (<see cref="RequiredRole"/>), so an endpoint added later is
/// covered without an attribute of its own.
/// </summary>
public static class LedgerAuth
{
    public const string Reader = "reader";
    public const string Recorder = "recorder";
    public const string Assessor = "assessor";
    public const string Admin = "admin";

    /// <summary>Lowest to highest: each role may do everything the roles before it may.</summary>
    public static readonly string[] Roles = [Reader, Recorder, Assessor, Admin];

    public const string NameClaim = "name";
    public const string RoleClaim = "role";

    /// <summary>Signs tokens in Development (and the tests) when no key is configured; refused in any other environment.</summary>
    public const string DevelopmentSigningKey = "commitmentledger-development-signing-key-not-for-production-use";

    public static AuthSettings Settings(IConfiguration configuration, IHostEnvironment environment)
    {
        var settings = configuration.GetSection(AuthSettings.Section).Get<AuthSettings>() ?? new AuthSettings();
        if (settings.SigningKey is null && settings.Authority is null && environment.IsDevelopment())
        {
            settings.SigningKey = DevelopmentSigningKey;
        }
        return settings;
    }

    /// <summary>What is wrong with the settings, in words an operator can act on; empty when they are usable.</summary>
    public static IEnumerable<string> Problems(AuthSettings settings, IHostEnvironment environment)
    {
        if (settings.SigningKey is null && settings.Authority is null)
        {
            yield return "Auth:SigningKey or Auth:Authority must be set (outside Development there is no default key)";
        }
        if (settings.SigningKey is { } key && Encoding.UTF8.GetByteCount(key) < 32)
        {
            yield return "Auth:SigningKey must be at least 32 bytes long (HMAC-SHA256)";
        }
        if (settings.SigningKey == DevelopmentSigningKey && !environment.IsDevelopment())
        {
            yield return $"Auth:SigningKey is the public development key, refused in {environment.EnvironmentName}";
        }
        if (settings.Authority is { } authority && !Uri.TryCreate(authority, UriKind.Absolute, out _))
        {
            yield return "Auth:Authority must be an absolute URL";
        }
    }

    public static SymmetricSecurityKey KeyOf(string signingKey) => new(Encoding.UTF8.GetBytes(signingKey));

    /// <summary>What a bearer token must satisfy (the benchmark's micro-benchmarks validate with the same).</summary>
    public static TokenValidationParameters ValidationParameters(AuthSettings settings) => new()
    {
        ValidIssuer = settings.Issuer,
        ValidAudience = settings.Audience,
        IssuerSigningKey = settings.SigningKey is { } key ? KeyOf(key) : null,
        NameClaimType = NameClaim,
        RoleClaimType = RoleClaim,
        ClockSkew = TimeSpan.FromSeconds(30),
    };

    public static void AddLedgerAuth(this WebApplicationBuilder builder)
    {
        var settings = Settings(builder.Configuration, builder.Environment);
        builder.Services.AddSingleton(settings);
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(jwt =>
        {
            // Keep the token's claim names ("name", "role") instead of mapping them to WS-* URIs.
            jwt.MapInboundClaims = false;
            if (settings.Authority is not null)
            {
                jwt.Authority = settings.Authority;
            }
            jwt.TokenValidationParameters = ValidationParameters(settings);
        });
        builder.Services.AddAuthorization(policies =>
        {
            for (var i = 0; i < Roles.Length; i++)
            {
                var allowed = Roles[i..];
                policies.AddPolicy(Roles[i], policy =>
                {
                    if (Roles[i] == Reader && settings.AnonymousRead)
                    {
                        policy.RequireAssertion(_ => true);
                    }
                    else
                    {
                        policy.RequireRole(allowed);
                    }
                });
            }
        });
    }

    /// <summary>The role an endpoint needs, from its method and route template.</summary>
    public static string RequiredRole(string method, string route)
    {
        route = "/" + route.Trim('/');
        if (route.StartsWith("/api/subscriptions", StringComparison.OrdinalIgnoreCase))
        {
            return Admin;
        }
        if (route.StartsWith("/api/checkpoints", StringComparison.OrdinalIgnoreCase) &&
            (method != HttpMethods.Get || route.EndsWith("/verify", StringComparison.OrdinalIgnoreCase)))
        {
            return Admin;
        }
        if (method == HttpMethods.Get || method == HttpMethods.Head)
        {
            return Reader;
        }
        return route.EndsWith("/assessments", StringComparison.OrdinalIgnoreCase) ? Assessor : Recorder;
    }

    /// <summary>Every Wolverine endpoint requires the policy of its role.</summary>
    public static void RequireRoles(this WolverineHttpOptions opts) => opts.ConfigureEndpoints(chain =>
    {
        var route = chain.RoutePattern?.RawText ?? "/";
        var role = chain.HttpMethods.Select(method => RequiredRole(method, route)).MaxBy(r => Array.IndexOf(Roles, r))!;
        chain.RequireAuthorization(role);
    });
}

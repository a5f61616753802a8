using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CommitmentLedger.Security;

public static class DevTokens
{
    /// <summary>A signed JWT carrying <paramref name="name"/> and <paramref name="role"/>, valid for <paramref name="lifetime"/>.</summary>
    public static string Mint(AuthSettings settings, string name, string role, TimeSpan lifetime, DateTime? now = null)
    {
        var issuedAt = now ?? DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = settings.Issuer,
            Audience = settings.Audience,
            IssuedAt = issuedAt,
            NotBefore = issuedAt,
            Expires = issuedAt + lifetime,
            Subject = new ClaimsIdentity([new Claim("sub", name), new Claim(LedgerAuth.NameClaim, name), new Claim(LedgerAuth.RoleClaim, role)]),
            SigningCredentials = new SigningCredentials(
                LedgerAuth.KeyOf(settings.SigningKey ?? throw new InvalidOperationException("No Auth:SigningKey to sign with")),
                SecurityAlgorithms.HmacSha256),
        });
    }
}

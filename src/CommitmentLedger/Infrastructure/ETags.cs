using Microsoft.Net.Http.Headers;

namespace CommitmentLedger.Infrastructure;

/// <summary><c>ETag: "&lt;version&gt;"</c> on reads; <c>If-Match</c> on writes names the version the client last saw.</summary>
public static class ETags
{
    public static string For(long version) => $"\"{version}\"";

    /// <summary>A 412 when If-Match is present and names no current version; null when the write may go ahead.</summary>
    public static IResult? CheckIfMatch(HttpContext http, long currentVersion)
    {
        var header = http.Request.Headers.IfMatch;
        if (header.Count == 0)
        {
            return null;
        }
        if (!EntityTagHeaderValue.TryParseList(header, out var tags))
        {
            return Problems.Invalid("If-Match", "must be a list of entity tags such as \"3\" or *");
        }
        var current = For(currentVersion);
        return tags.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || (!tag.IsWeak && tag.Tag == current))
            ? null
            : Problems.PreconditionFailed(currentVersion);
    }
}

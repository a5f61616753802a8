using System.Text.Json;

namespace CommitmentLedger.Integrity;

/// <summary>
/// Checks a JSON Lines audit export (<c>GET /api/audit</c>, <c>export-audit</c>) without a database: each line's
/// hash is recomputed from <c>commitmentId</c>, <c>version</c>, <c>recordedBy</c> and its <c>chain</c>
/// (<c>type</c>, <c>data</c> as stored, <c>previousHash</c>, <c>hash</c>), and consecutive lines of a stream must link.
/// </summary>
public static class ExportVerifier
{
    public sealed record Result(long Lines, int Streams, IReadOnlyList<string> Problems)
    {
        public bool Valid => Problems.Count == 0;
    }

    public static async Task<Result> VerifyAsync(TextReader export, Action<long>? progress = null, CancellationToken ct = default)
    {
        var problems = new List<string>();
        var last = new Dictionary<Guid, (long Version, string Hash)>();
        long lines = 0;
        while (await export.ReadLineAsync(ct) is { } line)
        {
            lines++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            if (lines % 10_000 == 0) progress?.Invoke(lines);
            if (Check(line, lines, last) is { } problem) problems.Add(problem);
        }
        progress?.Invoke(lines);
        return new Result(lines, last.Count, problems);
    }

    private static string? Check(string line, long number, Dictionary<Guid, (long Version, string Hash)> last)
    {
        ChainedEvent e;
        string previous, hash;
        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            var chain = root.GetProperty("chain");
            e = new ChainedEvent(root.GetProperty("commitmentId").GetGuid(), root.GetProperty("version").GetInt64(),
                chain.GetProperty("type").GetString()!, System.Text.Encoding.UTF8.GetBytes(chain.GetProperty("data").GetRawText()),
                root.TryGetProperty("recordedBy", out var by) && by.ValueKind == JsonValueKind.String ? by.GetString() : null);
            previous = chain.GetProperty("previousHash").GetString()
                       ?? throw new FormatException("the entry has no hash: it was written around the ledger");
            hash = chain.GetProperty("hash").GetString()!;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return $"line {number}: not an audit export entry with a hash ({ex.Message})";
        }

        var where = $"line {number} (stream {e.StreamId} version {e.Version})";
        string? problem = null;
        if (last.TryGetValue(e.StreamId, out var before))
        {
            if (e.Version != before.Version + 1)
                problem = $"{where}: follows version {before.Version} of its stream; an entry is missing or out of order";
            else if (previous != before.Hash)
                problem = $"{where}: its previous hash is not the hash of version {before.Version}";
        }
        else if (e.Version == 1 && previous != HashChain.Hex(HashChain.Genesis))
        {
            problem = $"{where}: the first version must follow 32 zero bytes";
        }
        if (problem is null && HashChain.Hex(HashChain.Hash(Convert.FromHexString(previous), e)) != hash)
        {
            problem = $"{where}: the entry's content no longer matches its hash";
        }
        last[e.StreamId] = (e.Version, hash);
        return problem;
    }
}

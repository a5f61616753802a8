using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace CommitmentLedger.Integrity;

/// <summary>One event as the chain sees it: the fields its hash covers (README, "Tamper evidence").</summary>
public sealed record ChainedEvent(Guid StreamId, long Version, string Type, string Data, string? RecordedBy)
{
    /// <summary>The event's effective date as PostgreSQL's <c>data ->> 'effectiveOn'</c> gives it, or empty.</summary>
    public string EffectiveOn => HashChain.TopLevelText(Data, "effectiveOn");
}

/// <summary>
/// <c>hash(v) = SHA-256(hash(v-1) ‖ UTF-8(canonical(v)))</c>, with 32 zero bytes before version 1, where
/// canonical is six lines: stream id, version, event type, effective date, recorded by, and the event data
/// in PostgreSQL's <c>jsonb</c> text form. The trigger computes it in SQL; this computes the same in .NET.
/// </summary>
public static class HashChain
{
    public static readonly byte[] Genesis = new byte[32];

    public static string Canonical(ChainedEvent e) =>
        $"{e.StreamId:D}\n{e.Version}\n{e.Type}\n{e.EffectiveOn}\n{e.RecordedBy ?? ""}\n{e.Data}";

    public static byte[] Hash(ReadOnlySpan<byte> previous, ChainedEvent e)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(previous);
        sha.AppendData(Encoding.UTF8.GetBytes(Canonical(e)));
        return sha.GetHashAndReset();
    }

    public static string Hex(byte[] hash) => Convert.ToHexStringLower(hash);

    /// <summary>What <c>jsonb ->> name</c> returns for a top-level member: a string unquoted, null or absent as empty.</summary>
    public static string TopLevelText(string json, string name)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return "";
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var match = reader.ValueTextEquals(name);
            reader.Read();
            if (match)
            {
                return reader.TokenType switch
                {
                    JsonTokenType.String => reader.GetString() ?? "",
                    JsonTokenType.Null => "",
                    _ => Encoding.UTF8.GetString(reader.ValueSpan),
                };
            }
            reader.Skip();
        }
        return "";
    }
}

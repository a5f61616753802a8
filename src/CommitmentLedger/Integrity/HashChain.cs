using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace CommitmentLedger.Integrity;

/// <summary>One event as the chain sees it: the fields its hash covers (README, "Tamper evidence").</summary>
/// <param name="Data">The event data in PostgreSQL's jsonb text form, UTF-8.</param>
/// <param name="EffectiveOn">What <c>data ->> 'effectiveOn'</c> gives, or empty; derived from the data when not given.</param>
public sealed record ChainedEvent(Guid StreamId, long Version, string Type, byte[] Data, string? RecordedBy, string? EffectiveOn = null)
{
    public ChainedEvent(Guid streamId, long version, string type, string data, string? recordedBy)
        : this(streamId, version, type, Encoding.UTF8.GetBytes(data), recordedBy)
    {
    }

    public string EffectiveDate => EffectiveOn ?? HashChain.TopLevelText(Data, "effectiveOn");
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
        $"{e.StreamId:D}\n{e.Version}\n{e.Type}\n{e.EffectiveDate}\n{e.RecordedBy ?? ""}\n" + Encoding.UTF8.GetString(e.Data);

    public static byte[] Hash(ReadOnlySpan<byte> previous, ChainedEvent e)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        return Hash(sha, previous, e);
    }

    /// <summary>The same, on a caller's <see cref="IncrementalHash"/>: a verifier hashing a million events reuses one.</summary>
    public static byte[] Hash(IncrementalHash sha, ReadOnlySpan<byte> previous, ChainedEvent e)
    {
        sha.AppendData(previous);
        sha.AppendData(Encoding.UTF8.GetBytes($"{e.StreamId:D}\n{e.Version}\n{e.Type}\n{e.EffectiveDate}\n{e.RecordedBy ?? ""}\n"));
        sha.AppendData(e.Data);
        return sha.GetHashAndReset();
    }

    public static string Hex(byte[] hash) => Convert.ToHexStringLower(hash);

    /// <summary>What <c>jsonb ->> name</c> returns for a top-level member: a string unquoted, null or absent as empty.</summary>
    public static string TopLevelText(byte[] json, string name)
    {
        var reader = new Utf8JsonReader(json);
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

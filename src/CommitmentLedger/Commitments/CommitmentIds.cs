using System.Buffers.Binary;
using System.Security.Cryptography;

namespace CommitmentLedger.Commitments;

/// <summary>
/// Commitment ids are UUID version 7 (RFC 9562) made monotonic within this process: the 12 bits after the
/// millisecond timestamp count up, so ids minted in one millisecond (a whole import) still sort in the order
/// they were made. The list endpoint orders and pages by id, which makes that order "oldest recorded first".
/// </summary>
public static class CommitmentIds
{
    private static long _last; // (unix milliseconds << 12) | counter

    public static Guid Next(TimeProvider clock)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds() << 12;
        long stamp, last;
        do
        {
            last = Interlocked.Read(ref _last);
            stamp = Math.Max(now, last + 1);
        } while (Interlocked.CompareExchange(ref _last, stamp, last) != last);

        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes[8..]);
        BinaryPrimitives.WriteInt64BigEndian(bytes, stamp << 4); // 48-bit ms, then 12-bit counter, leaving 4 low bits
        bytes[6] = (byte)(0x70 | ((stamp >> 8) & 0x0F));          // version 7 + high 4 bits of the counter
        bytes[7] = (byte)(stamp & 0xFF);                          // low 8 bits of the counter
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F));              // RFC 9562 variant
        return new Guid(bytes, bigEndian: true);
    }
}

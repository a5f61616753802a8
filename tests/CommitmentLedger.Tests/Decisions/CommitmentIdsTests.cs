using CommitmentLedger.Commitments;

namespace CommitmentLedger.Tests.Decisions;

public class CommitmentIdsTests
{
    private sealed class FrozenClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [Fact]
    public void ids_minted_in_one_millisecond_sort_in_the_order_they_were_made()
    {
        var clock = new FrozenClock(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        var ids = Enumerable.Range(0, 1000).Select(_ => CommitmentIds.Next(clock)).ToList();

        // PostgreSQL orders uuids by their bytes in RFC order, which is what the list pages on.
        var sorted = ids.OrderBy(id => Convert.ToHexString(id.ToByteArray(bigEndian: true))).ToList();
        sorted.ShouldBe(ids);
        ids.Distinct().Count().ShouldBe(1000);
    }

    [Fact]
    public void ids_are_rfc_9562_version_7_with_the_clocks_millisecond()
    {
        var now = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero).AddYears(1);
        var id = CommitmentIds.Next(new FrozenClock(now));

        id.Version.ShouldBe(7);
        (id.Variant & 0b1100).ShouldBe(0b1000);
        var bytes = id.ToByteArray(bigEndian: true);
        var millis = ((long)bytes[0] << 40) | ((long)bytes[1] << 32) | ((long)bytes[2] << 24) | ((long)bytes[3] << 16) |
                     ((long)bytes[4] << 8) | bytes[5];
        millis.ShouldBe(now.ToUnixTimeMilliseconds());
    }
}

namespace CommitmentLedger.Tests;

/// <summary>
/// The service's clock in the tests: the system clock shifted by an offset the test moves, so time keeps flowing
/// (nothing waits on a frozen clock) while a test stands on any day it likes.
/// </summary>
public sealed class TestClock : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

    public void MoveTo(DateTimeOffset instant) => Interlocked.Exchange(ref _offsetTicks, (instant - System.GetUtcNow()).Ticks);

    public void MoveTo(string date) => MoveTo(DateTimeOffset.Parse(date + "T12:00:00Z"));

    public void Reset() => Interlocked.Exchange(ref _offsetTicks, 0);
}

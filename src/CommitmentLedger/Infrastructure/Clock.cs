namespace CommitmentLedger.Infrastructure;

public static class Clock
{
    /// <summary>Today's date in UTC: the default effective date and the day against which overdue is judged.</summary>
    public static DateOnly Today(this TimeProvider clock) => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
}

/// <summary>
/// A clock that ticks in whole microseconds, PostgreSQL's resolution. Marten stamps events with it, so the timestamps
/// the inline projection sees are exactly the ones stored: a view rebuilt from the stored events is then equal to the
/// one written inline, to the last digit (with the system clock's 100 ns ticks the inline view kept a seventh digit
/// no rebuild could recover).
/// </summary>
public sealed class MicrosecondClock(TimeProvider clock) : TimeProvider
{
    public override DateTimeOffset GetUtcNow()
    {
        var now = clock.GetUtcNow();
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond));
    }
}

namespace CommitmentLedger.Infrastructure;

public static class Clock
{
    /// <summary>Today's date in UTC: the default effective date and the day against which overdue is judged.</summary>
    public static DateOnly Today(this TimeProvider clock) => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
}

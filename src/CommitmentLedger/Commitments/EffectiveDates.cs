namespace CommitmentLedger.Commitments;

public static class EffectiveDates
{
    /// <summary>A change cannot have happened before the commitment was made, nor after today.</summary>
    public static Decision.Invalid? Check(Commitment state, DateOnly effectiveOn, DateOnly today) =>
        effectiveOn < state.MadeOn
            ? new Decision.Invalid("effectiveOn", $"must not be before the commitment was made ({state.MadeOn:yyyy-MM-dd})")
            : effectiveOn > today
                ? new Decision.Invalid("effectiveOn", $"must not be in the future (today is {today:yyyy-MM-dd})")
                : null;
}

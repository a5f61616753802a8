namespace CommitmentLedger.Commitments;

/// <summary>
/// The owner-reported lifecycle of DESIGN.md §2: declared → in_progress → completed, with the side exits
/// suspended (and back to in_progress), cancelled and superseded. Completed, cancelled and superseded are terminal.
/// </summary>
public static class Lifecycle
{
    private static readonly IReadOnlyDictionary<LifecycleStatus, LifecycleStatus[]> Moves =
        new Dictionary<LifecycleStatus, LifecycleStatus[]>
        {
            [LifecycleStatus.Declared] =
                [LifecycleStatus.InProgress, LifecycleStatus.Suspended, LifecycleStatus.Cancelled, LifecycleStatus.Superseded],
            [LifecycleStatus.InProgress] =
                [LifecycleStatus.Completed, LifecycleStatus.Suspended, LifecycleStatus.Cancelled, LifecycleStatus.Superseded],
            [LifecycleStatus.Suspended] =
                [LifecycleStatus.InProgress, LifecycleStatus.Cancelled, LifecycleStatus.Superseded],
            [LifecycleStatus.Completed] = [],
            [LifecycleStatus.Cancelled] = [],
            [LifecycleStatus.Superseded] = [],
        };

    public static bool IsTerminal(LifecycleStatus status) => Moves[status].Length == 0;

    public static bool CanMove(LifecycleStatus from, LifecycleStatus to) => Moves[from].Contains(to);

    public static IReadOnlyList<LifecycleStatus> MovesFrom(LifecycleStatus from) => Moves[from];
}

using CommitmentLedger.Commitments;
using JasperFx.Events;

namespace CommitmentLedger.Tests.Decisions;

/// <summary>The in-memory fold behind history, validAt and retractions, and the pure retraction decision.</summary>
public class ReplayAndRetractionTests
{
    private static readonly DateOnly MadeOn = new(2021, 11, 23);
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static IReadOnlyList<IEvent> Stream(params object[] data) => data.Select((d, i) =>
    {
        var e = (IEvent)Activator.CreateInstance(typeof(Event<>).MakeGenericType(d.GetType()), d)!;
        e.Version = i + 1;
        e.Sequence = i + 1;
        e.Timestamp = Start.AddMinutes(i);
        e.StreamId = Guid.Empty;
        return e;
    }).ToList();

    private static CommitmentRecorded Recorded(LifecycleStatus status = LifecycleStatus.Declared) => new(
        null, CommitmentKind.Action, Strength.Pledged, new Dictionary<string, string> { ["en"] = "t" }, ["JP-MOD"], [],
        "peacekeeping", MadeOn, null, status, null, null, "");

    private static StatusChanged Status(LifecycleStatus from, LifecycleStatus to, string on) =>
        new(from, to, "r", DateOnly.Parse(on));

    private static ProgressReported Progress(string note, string on) => new(note, DateOnly.Parse(on), []);

    [Fact]
    public void valid_at_applies_entries_of_the_same_day_in_recorded_order()
    {
        var events = Stream(Recorded(),
            Status(LifecycleStatus.Declared, LifecycleStatus.InProgress, "2022-03-01"),
            Status(LifecycleStatus.InProgress, LifecycleStatus.Suspended, "2022-03-01"),
            Progress("first of the day", "2022-03-01"),
            Progress("second of the day", "2022-03-01"));

        var state = CommitmentReplay.InTheWorld(events, new DateOnly(2022, 3, 1)).ShouldNotBeNull();

        state.Status.ShouldBe(LifecycleStatus.Suspended);
        state.LastProgress!.Note.ShouldBe("second of the day");
        state.Version.ShouldBe(5);
    }

    [Fact]
    public void valid_at_places_a_back_dated_entry_by_its_effective_date_and_leaves_out_what_came_later_in_the_world()
    {
        var events = Stream(Recorded(), Progress("May report", "2022-05-01"), Progress("February report, learned late", "2022-02-01"));

        CommitmentReplay.InTheWorld(events, new DateOnly(2022, 3, 1))!.LastProgress!.Note.ShouldBe("February report, learned late");
        CommitmentReplay.InTheWorld(events, new DateOnly(2022, 6, 1))!.LastProgress!.Note.ShouldBe("May report");
        CommitmentReplay.InTheWorld(events, new DateOnly(2021, 11, 22)).ShouldBeNull();
        CommitmentReplay.AsRecorded(events)!.LastProgress!.Note.ShouldBe("May report");
    }

    [Fact]
    public void a_retracted_entry_is_left_out_of_every_fold_and_the_history_shows_the_retraction_undoing_it()
    {
        var events = Stream(Recorded(), Status(LifecycleStatus.Declared, LifecycleStatus.InProgress, "2022-02-01"),
            Progress("report", "2022-02-10"), new EntryRetracted(2, "not so"));

        CommitmentReplay.AsRecorded(events)!.Status.ShouldBe(LifecycleStatus.Declared);
        CommitmentReplay.InTheWorld(events, new DateOnly(2022, 3, 1))!.Status.ShouldBe(LifecycleStatus.Declared);
        var steps = CommitmentReplay.Steps(events).ToList();
        steps[1].After.Status.ShouldBe(LifecycleStatus.InProgress, "as recorded at the time");
        steps[3].Before!.Status.ShouldBe(LifecycleStatus.InProgress);
        steps[3].After.Status.ShouldBe(LifecycleStatus.Declared);
        steps[3].After.LastProgress!.Note.ShouldBe("report");
    }

    [Fact]
    public void retracting_a_move_that_later_moves_depend_on_names_all_of_them()
    {
        var events = Stream(Recorded(),
            Status(LifecycleStatus.Declared, LifecycleStatus.InProgress, "2022-02-01"),
            Status(LifecycleStatus.InProgress, LifecycleStatus.Suspended, "2022-03-01"),
            Status(LifecycleStatus.Suspended, LifecycleStatus.InProgress, "2022-04-01"),
            Status(LifecycleStatus.InProgress, LifecycleStatus.Completed, "2022-05-01"));

        var conflict = RetractEntryEndpoint.Decide(events, new RetractEntry(3, "never suspended")).ShouldBeOfType<Decision.Conflict>();

        // Without the suspension, in_progress -> in_progress is not a move; completed still follows in_progress.
        conflict.Extensions!["dependentVersions"].ShouldBe(new long[] { 4 });
    }

    [Fact]
    public void retracting_an_entry_nothing_depends_on_is_accepted_and_names_it()
    {
        var events = Stream(Recorded(), Progress("wrong", "2022-02-10"), Status(LifecycleStatus.Declared, LifecycleStatus.InProgress, "2022-03-01"));

        var retraction = RetractEntryEndpoint.Decide(events, new RetractEntry(2, "wrong report"))
            .ShouldBeOfType<Decision.Accepted>().Events.ShouldHaveSingleItem().ShouldBeOfType<EntryRetracted>();

        retraction.RetractedVersion.ShouldBe(2);
        retraction.Reason.ShouldBe("wrong report");
    }
}

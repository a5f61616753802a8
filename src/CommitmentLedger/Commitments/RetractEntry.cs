using System.Text.Json.Serialization;
using CommitmentLedger.Infrastructure;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;

namespace CommitmentLedger.Commitments;

// The C# name is not Version: Wolverine would take a body member named Version for the expected stream version.
public sealed record RetractEntryRequest([property: JsonPropertyName("version")] long? Entry, string? Reason);

public sealed record RetractEntry(long Version, string Reason);

public static class RetractEntryEndpoint
{
    public static RetractEntry? Parse(RetractEntryRequest? body, FieldErrors errors)
    {
        if (!Input.RequireBody(errors, body)) return null;
        if (body.Entry is not > 0)
        {
            errors.Add("version", "is required: the version of the entry to retract, as the history lists it");
        }
        Input.RequireText(errors, "reason", body.Reason, Limits.Reason);
        return errors.Any ? null : new RetractEntry(body.Entry!.Value, body.Reason!.Trim());
    }

    /// <summary>Decides over the whole stream (versions 1..n), which a retraction replays without the retracted entry.</summary>
    public static Decision Decide(IReadOnlyList<IEvent> events, RetractEntry command)
    {
        var version = command.Version;
        if (version > events.Count)
        {
            return new Decision.Invalid("version",
                $"this commitment has no entry {version}: its entries are versions 1 to {events.Count} (see its history)");
        }
        var entry = events[(int)version - 1];
        switch (entry.Data)
        {
            case CommitmentRecorded:
                return new Decision.Invalid("version",
                    "entry 1 records the commitment itself and cannot be retracted; retract the entries after it, " +
                    "or move the commitment to cancelled or superseded");
            case EntryRetracted:
                return new Decision.Invalid("version", $"entry {version} is a retraction, which cannot itself be retracted");
            case FollowUpLinked:
                return new Decision.Invalid("version",
                    $"entry {version} links a follow-up, a commitment of its own; it cannot be retracted here");
        }
        if (CommitmentReplay.RetractedVersions(events).TryGetValue(version, out var earlier))
        {
            return new Decision.Conflict($"Entry {version} was already retracted by entry {earlier.Version}; an entry is retracted once.",
                new Dictionary<string, object?> { ["retractedBy"] = earlier.Version });
        }

        var dependents = Dependents(events, version);
        if (dependents.Count > 0)
        {
            return new Decision.Conflict(
                $"Retracting entry {version} ({entry.EventTypeName}) would leave later entries impossible: " +
                string.Join("; ", dependents.Select(d => d.Why)) +
                ". Retract those entries first, the latest first.",
                new Dictionary<string, object?> { ["dependentVersions"] = dependents.Select(d => d.Version).ToArray() });
        }
        return Decision.Accept(new EntryRetracted(version, command.Reason));
    }

    /// <summary>
    /// Replays the stream without the entry (and without those retracted before) and names every later entry that
    /// the lifecycle would then forbid: a status move from the status the commitment would have, or progress and
    /// due-date moves on a commitment that would be terminal.
    /// </summary>
    private static List<(long Version, string Why)> Dependents(IReadOnlyList<IEvent> events, long retractedVersion)
    {
        var skipped = CommitmentReplay.RetractedVersions(events).Keys.Append(retractedVersion).ToHashSet();
        var dependents = new List<(long, string)>();
        Commitment? state = null;
        foreach (var e in events.Where(e => e.Data is not EntryRetracted && !skipped.Contains(e.Version)))
        {
            if (state is not null && e.Version > retractedVersion)
            {
                var from = Vocabulary.Word(state.Status);
                switch (e.Data)
                {
                    case StatusChanged moved when !Lifecycle.CanMove(state.Status, moved.To):
                        dependents.Add((e.Version, $"entry {e.Version} moves to {Vocabulary.Word(moved.To)}, which a commitment that is {from} cannot"));
                        break;
                    case ProgressReported or DueDateSet when state.IsTerminal:
                        dependents.Add((e.Version, $"entry {e.Version} ({e.EventTypeName}) would follow the terminal status {from}"));
                        break;
                }
            }
            state = CommitmentReplay.Apply(state, e);
        }
        return dependents;
    }

    [WolverinePost("/api/commitments/{id}/retractions", OperationId = "retractEntry")]
    [Tags("Commitments")]
    [EndpointSummary("Retract an earlier entry: the view is recomputed as if it had never happened; the history keeps it, marked")]
    [ProducesResponseType<CommitmentView>(StatusCodes.Status200OK)]
    [ProblemResponses(400, 404, 409, 413, 412)]
    public static async Task<(IResult, Events)> Post(RetractEntryRequest body, [WriteAggregate("id")] Commitment commitment,
        IDocumentSession session, HttpContext http, CancellationToken ct)
    {
        // Up to the version fetched for writing: a write that lands in between fails the append as a lost race.
        var events = await session.Events.FetchStreamAsync(commitment.Id, commitment.Version, token: ct);
        return CommitmentWrite.Run(commitment, http, session,
            errors => Parse(body, errors),
            command => Decide(events, command));
    }
}

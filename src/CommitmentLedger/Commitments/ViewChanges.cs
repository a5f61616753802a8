using System.Text.Json;
using System.Text.Json.Nodes;
using CommitmentLedger.Infrastructure;

namespace CommitmentLedger.Commitments;

/// <summary>A field of the view that an entry changed; <c>from</c> is null for what the recording set.</summary>
public sealed record FieldChange(string Field, JsonNode? From, JsonNode? To);

/// <summary>
/// What an entry changed, found by comparing the view (as clients see it, in JSON) before and after the entry.
/// Objects are compared field by field (<c>title.en</c>, <c>lastProgress.note</c>); lists and values as a whole.
/// </summary>
public static class ViewChanges
{
    // Every entry moves version and updatedAt; overdue moves with the calendar, not with entries.
    private static readonly HashSet<string> Ignored = ["version", "updatedAt", "overdue"];

    public static IReadOnlyList<FieldChange> Between(Commitment? before, Commitment after)
    {
        var to = ToJson(after);
        var from = before is null ? new JsonObject() : ToJson(before);
        var changes = new List<FieldChange>();
        foreach (var (field, value) in to)
        {
            if (!Ignored.Contains(field))
            {
                Compare(field, from[field], value, changes);
            }
        }
        return changes;
    }

    private static void Compare(string field, JsonNode? from, JsonNode? to, List<FieldChange> changes)
    {
        if (from is JsonObject fromObject && to is JsonObject toObject)
        {
            foreach (var key in fromObject.Select(x => x.Key).Union(toObject.Select(x => x.Key)))
            {
                Compare($"{field}.{key}", fromObject[key], toObject[key], changes);
            }
        }
        else if (!JsonNode.DeepEquals(from, to) && !(from is null && IsEmpty(to)))
        {
            changes.Add(new FieldChange(field, from?.DeepClone(), to?.DeepClone()));
        }
    }

    private static bool IsEmpty(JsonNode? node) => node is null or JsonArray { Count: 0 };

    // The date of overdue does not matter: it is ignored.
    private static JsonObject ToJson(Commitment commitment) =>
        JsonSerializer.SerializeToNode(CommitmentView.Of(commitment, commitment.MadeOn), JsonSetup.Api)!.AsObject();
}

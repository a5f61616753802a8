using System.Text;
using System.Text.Json.Nodes;
using CommitmentLedger.Drafts;

namespace CommitmentLedger.Tests.Drafts;

/// <summary>A commitment a release is known to hold: its quote (a sentence of the text), strength and actor.</summary>
public sealed record ExpectedCommitment(string Quote, string Strength, string Actor, string? Ref = null, string? ParentRef = null);

/// <summary>
/// How well drafts match known commitments. A commitment is found when a draft's sentence covers its quote with the
/// same strength and actor; a draft is right when it is such a draft for at least one known commitment.
/// </summary>
public sealed record DraftMeasurement(IReadOnlyList<(string Strength, int Found, int Total)> RecallByStrength, int Drafts, int RightDrafts,
    IReadOnlyList<ExpectedCommitment> Missed, int FollowUps = 0, int ParentsFound = 0)
{
    public static readonly string[] Strengths = ["signed", "agreed", "reaffirmed", "pledged", "stated", "requested"];

    public int Found => RecallByStrength.Sum(x => x.Found);
    public int Total => RecallByStrength.Sum(x => x.Total);
    public double Recall => Total == 0 ? 0 : (double)Found / Total;
    public double Precision => Drafts == 0 ? 0 : (double)RightDrafts / Drafts;

    public static DraftMeasurement Of(string text, IReadOnlyList<Draft> drafts, IReadOnlyList<ExpectedCommitment> expected)
    {
        bool Matches(Draft d, ExpectedCommitment e)
        {
            var at = text.IndexOf(e.Quote, StringComparison.Ordinal);
            if (at < 0) throw new InvalidOperationException($"The quote does not occur in the text: {e.Quote}");
            var start = text[..at].EnumerateRunes().Count();
            var end = start + e.Quote.EnumerateRunes().Count();
            return d.SentenceStart <= start && end <= d.SentenceEnd && d.Strength == e.Strength && d.Actor == e.Actor;
        }
        var recall = Strengths.Select(s => expected.Where(e => e.Strength == s).ToList())
            .Select((list, i) => (Strengths[i], list.Count(e => drafts.Any(d => Matches(d, e))), list.Count))
            .Where(x => x.Item3 > 0).ToList();
        // A follow-up's parent is found when one of its drafts points at a draft of the parent commitment.
        var followUps = expected.Where(e => e.ParentRef is not null).ToList();
        var parentsFound = followUps.Count(e =>
        {
            var parent = expected.Single(p => p.Ref == e.ParentRef);
            var parentDrafts = drafts.Where(d => Matches(d, parent)).Select(d => d.Ref).ToHashSet();
            return drafts.Any(d => Matches(d, e) && d.ParentRef is not null && parentDrafts.Contains(d.ParentRef));
        });
        return new DraftMeasurement(recall, drafts.Count, drafts.Count(d => expected.Any(e => Matches(d, e))),
            expected.Where(e => !drafts.Any(d => Matches(d, e))).ToList(), followUps.Count, parentsFound);
    }

    /// <summary>The known commitments of an import file: actor 'both' when it names two parties (a request is its requester's).</summary>
    public static List<ExpectedCommitment> FromImport(JsonObject import) => import["commitments"]!.AsArray().Select(c =>
    {
        var parties = c!["parties"]!.AsArray().Select(p => p!.GetValue<string>()).ToList();
        var strength = c["strength"]!.GetValue<string>();
        return new ExpectedCommitment(c["quote"]!.GetValue<string>(), strength,
            parties.Count > 1 && strength != "requested" ? Drafter.Both : parties[0],
            c["ref"]!.GetValue<string>(), c["parentRef"]?.GetValue<string>());
    }).ToList();

    public override string ToString()
    {
        var table = new StringBuilder();
        table.AppendLine("| strength | found / known | recall |").AppendLine("|---|---|---|");
        foreach (var (strength, found, total) in RecallByStrength)
        {
            table.AppendLine($"| {strength} | {found} / {total} | {100.0 * found / total:0}% |");
        }
        table.AppendLine($"| **all** | {Found} / {Total} | {100 * Recall:0}% |");
        table.AppendLine().AppendLine($"Precision: {RightDrafts} of {Drafts} drafts match a known commitment ({100 * Precision:0}%).");
        if (FollowUps > 0) table.AppendLine($"Parents: {ParentsFound} of {FollowUps} follow-ups get a draft pointing at a draft of their parent.");
        foreach (var missed in Missed) table.AppendLine($"Missed: {missed.Strength} by {missed.Actor}: {missed.Quote}");
        return table.ToString();
    }
}

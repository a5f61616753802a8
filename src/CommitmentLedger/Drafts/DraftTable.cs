namespace CommitmentLedger.Drafts;

/// <summary>Drafts as a fixed-width table for a terminal.</summary>
public static class DraftTable
{
    private const int TextWidth = 48;

    public static string Render(IReadOnlyList<Draft> drafts)
    {
        var rows = drafts.Select(d => new[]
        {
            d.Ref, $"{d.ClauseStart}-{d.ClauseEnd}", d.Strength, d.Actor, d.Kind, d.Area, d.ParentRef ?? "", d.Confidence.ToString("0.00"),
            Shorten(d.Title.Values.First()),
        }).ToList();
        string[] header = ["ref", "clause", "strength", "actor", "kind", "area", "parent", "conf", "text"];
        var widths = header.Select((h, i) => rows.Select(r => Width(r[i])).Append(h.Length).Max()).ToArray();
        var lines = new[] { header }.Concat(rows)
            .Select(r => string.Join("  ", r.Select((cell, i) => i == r.Length - 1 ? cell : cell + new string(' ', widths[i] - Width(cell)))).TrimEnd());
        return string.Join(Environment.NewLine, lines);
    }

    private static string Shorten(string text) => text.Length <= TextWidth ? text : text[..(TextWidth - 1)] + "…";

    // East Asian characters take two columns in a terminal.
    private static int Width(string text) => text.Sum(c => c >= '\u1100' && (c <= '\u115F' || (c >= '\u2E80' && c <= '\uA4CF') ||
        (c >= '\uAC00' && c <= '\uD7A3') || (c >= '\uF900' && c <= '\uFAFF') || (c >= '\uFF00' && c <= '\uFF60') || (c >= '\u3000' && c <= '\u303F')) ? 2 : 1);
}

using System.Text.RegularExpressions;
using CommitmentLedger.Infrastructure;

namespace CommitmentLedger.Drafts;

/// <summary>
/// A proposed commitment read from one clause of a source's sentence. Offsets count code points, as the quote
/// offsets of a citation do (<c>quoteStart</c>/<c>quoteEnd</c>); <c>Ref</c> is <c>s{sentenceStart}-{n}</c>, the n-th
/// draft of that sentence, and becomes <c>{source key}/{ref}</c> when accepted.
/// </summary>
public sealed record Draft(
    string Ref, string? Section, string Sentence, int SentenceStart, int SentenceEnd, int ClauseStart, int ClauseEnd,
    string Strength, string Actor, string[] Parties, string[] Responsible, string Kind, string Area, string? ParentRef,
    IReadOnlyDictionary<string, string> Title, double Confidence, IReadOnlyList<string> Rules);

/// <summary>Reads drafts out of a text with one language's <see cref="DraftRules"/>; pure, writes nothing.</summary>
public static class Drafter
{
    public const string Both = "both";

    private sealed record VerbHit(int Index, int End, VerbRule Rule);

    public static IReadOnlyList<Draft> Read(string text, DraftRules rules)
    {
        var language = rules.Language;
        var codePoints = CodePointIndex(text);
        var heading = rules.SectionHeading is null ? null : new Regex(rules.SectionHeading);
        var verbs = rules.Verbs.Select(v => (Rule: v, Regex: new Regex(v.Pattern))).ToList();
        var subjects = rules.Subjects.Select(s => (Rule: s, Regex: new Regex(s.Pattern))).ToList();
        var instrument = rules.Instrument is null ? null : new Regex(rules.Instrument);
        var programme = rules.Programme is null ? null : new Regex(rules.Programme);
        var cues = rules.ParentCues.Select(c => (Cue: c, Regex: new Regex(c.Pattern))).ToList();
        var actionCues = rules.ActionCues is null ? null : new Regex(rules.ActionCues);
        var areas = rules.Areas.Select(a => (a.Area, Regex: new Regex(a.Pattern))).ToList();

        var drafts = new List<Draft>();
        var namedBy = new Dictionary<string, string>(StringComparer.Ordinal); // instrument or programme name → ref of the draft naming it first
        string? lastInstrument = null;
        var section = rules.FirstSection;

        foreach (Match m in new Regex(rules.Sentence, RegexOptions.Multiline).Matches(text))
        {
            var sentence = m.Value.TrimEnd();
            if (sentence.Length == 0) continue;
            if (heading?.Match(sentence) is { Success: true } h)
            {
                section = $"{h.Groups[1].Value}. {h.Groups[2].Value.Trim()}";
                continue;
            }
            var sentenceStart = codePoints[m.Index];
            var sentenceEnd = codePoints[m.Index + sentence.Length];
            var hits = VerbHits(sentence, verbs);
            var clauseFrom = 0;
            var n = 0;
            (string Actor, string Rule)? previous = null;
            for (var k = 0; k < hits.Count; k++)
            {
                var hit = hits[k];
                var clause = sentence[clauseFrom..hit.End];
                var (actor, actorRule, actorWeight) = LastSubject(clause, subjects) is { } subject
                    ? (subject.Actor, $"{language}.subject.{subject.Id}", 1.0)
                    : previous is { } p ? (p.Actor, $"{p.Rule}(inherited)", 0.9)
                    : hit.Rule.DefaultActor is { } fallback ? (fallback, $"{language}.subject.default-{hit.Rule.Id}", 0.8)
                    : ("unknown", $"{language}.subject.none", 0.5);
                previous = (actor, actorRule);
                // Where the verb comes first, what was agreed runs on from the subject to the next verb's clause.
                var contentEnd = rules.VerbFinal ? hit.End : k + 1 < hits.Count ? hits[k + 1].Index : sentence.Length;
                var contentFrom = rules.VerbFinal || k == 0 ? clauseFrom : hit.Index;
                var clauseStart = codePoints[m.Index + contentFrom];
                var clauseEnd = codePoints[m.Index + contentEnd];
                clause = sentence[contentFrom..contentEnd];
                clauseFrom = hit.End;
                var verbRule = $"{language}.verb.{hit.Rule.Id}";
                var confidence = Math.Round(hit.Rule.Confidence * actorWeight, 2);

                if (hit.Rule.Strength == "signed")
                {
                    var names = Names(sentence, instrument);
                    var fresh = names.Where(x => !namedBy.ContainsKey(x)).ToList();
                    if (names.Count > 0 && fresh.Count == 0)
                    {
                        continue; // the signing of instruments drafted earlier, mentioned again
                    }
                    foreach (var name in fresh.Count > 0 ? fresh.Cast<string?>() : [null])
                    {
                        var reference = $"s{sentenceStart}-{++n}";
                        var (area, areaRule) = AreaOf(name ?? clause, sentence, areas, rules, language);
                        drafts.Add(new Draft(reference, section, sentence, sentenceStart, sentenceEnd, clauseStart, clauseEnd,
                            "signed", actor, PartiesOf(actor, rules), PartiesOf(actor, rules), "instrument", area, null,
                            TitleOf(name ?? clause, language), confidence,
                            [verbRule, actorRule, areaRule, .. name is null ? Array.Empty<string>() : [$"{language}.instrument"]]));
                        if (name is not null) namedBy[name] = reference;
                        lastInstrument = reference;
                    }
                    continue;
                }

                var upToVerb = sentence[..hit.End];
                string? parent = null;
                string? parentRule = null;
                if (Names(upToVerb, instrument).Concat(Names(upToVerb, programme)).FirstOrDefault(namedBy.ContainsKey) is { } named)
                {
                    (parent, parentRule) = (namedBy[named], $"{language}.parent.named-earlier");
                }
                else if (cues.FirstOrDefault(c => c.Regex.IsMatch(clause)) is { Cue: not null } cue)
                {
                    parent = cue.Cue.RefersTo == "instrument" ? lastInstrument : drafts.LastOrDefault()?.Ref;
                    parentRule = parent is null ? null : $"{language}.parent.{cue.Cue.Id}";
                }
                var kind = actionCues?.IsMatch(clause) == true ? "action" : "position";
                var (draftArea, draftAreaRule) = AreaOf(clause, sentence, areas, rules, language);
                var parties = PartiesOf(actor, rules);
                var responsible = hit.Rule.Strength == "requested"
                    ? rules.Parties.Where(x => x != actor).ToArray()
                    : kind == "action" ? parties : [];
                var ownRef = $"s{sentenceStart}-{++n}";
                drafts.Add(new Draft(ownRef, section, sentence, sentenceStart, sentenceEnd, clauseStart, clauseEnd,
                    hit.Rule.Strength, actor, hit.Rule.Strength == "requested" ? [.. parties, .. responsible] : parties,
                    responsible, kind, draftArea, parent, TitleOf(clause, language), confidence,
                    [verbRule, actorRule, draftAreaRule, $"{language}.kind.{kind}", .. parentRule is null ? Array.Empty<string>() : [parentRule]]));
                foreach (var name in Names(clause, programme).Where(x => !namedBy.ContainsKey(x)))
                {
                    namedBy[name] = ownRef;
                }
            }
        }
        return drafts;
    }

    /// <summary>Verb matches in order; where two overlap the earlier (then the longer) wins.</summary>
    private static List<VerbHit> VerbHits(string sentence, List<(VerbRule Rule, Regex Regex)> verbs)
    {
        var all = verbs.SelectMany(v => v.Regex.Matches(sentence).Select(x => new VerbHit(x.Index, x.Index + x.Length, v.Rule)))
            .OrderBy(x => x.Index).ThenByDescending(x => x.End).ToList();
        var kept = new List<VerbHit>();
        foreach (var hit in all)
        {
            if (kept.Count == 0 || hit.Index >= kept[^1].End) kept.Add(hit);
        }
        return kept;
    }

    /// <summary>The subject nearest the verb: the last match in the clause, a longer match winning over one inside it.</summary>
    private static SubjectRule? LastSubject(string clause, List<(SubjectRule Rule, Regex Regex)> subjects)
    {
        var all = subjects.SelectMany(s => s.Regex.Matches(clause).Select(x => (x.Index, End: x.Index + x.Length, s.Rule))).ToList();
        return all.Where(x => !all.Any(o => o != x && o.Index <= x.Index && o.End >= x.End && o.End - o.Index > x.End - x.Index))
            .OrderBy(x => x.End).LastOrDefault().Rule;
    }

    private static List<string> Names(string text, Regex? pattern) =>
        pattern is null ? [] : pattern.Matches(text).Select(x => x.Groups[1].Value.Trim()).Distinct().ToList();

    private static (string Area, string Rule) AreaOf(string clause, string sentence, List<(string Area, Regex Regex)> areas,
        DraftRules rules, string language)
    {
        foreach (var text in new[] { clause, sentence })
        {
            if (areas.FirstOrDefault(a => a.Regex.IsMatch(text)) is { Area: not null } found)
            {
                return (found.Area, $"{language}.area.{found.Area}");
            }
        }
        return (rules.DefaultArea, $"{language}.area.default");
    }

    private static string[] PartiesOf(string actor, DraftRules rules) =>
        actor == Both ? rules.Parties : actor == "unknown" ? [] : [actor];

    private static Dictionary<string, string> TitleOf(string text, string language)
    {
        var title = text.Trim().TrimStart('、', ',', ';', ' ', '　').Trim();
        return new() { [language] = title.Length > Limits.TitleText ? title[..Limits.TitleText] : title };
    }

    /// <summary>For each UTF-16 index of the text, the number of code points before it.</summary>
    private static int[] CodePointIndex(string text)
    {
        var index = new int[text.Length + 1];
        var count = 0;
        for (var i = 0; i < text.Length; i++)
        {
            index[i] = count;
            if (!(char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))) count++;
        }
        index[text.Length] = count;
        return index;
    }
}

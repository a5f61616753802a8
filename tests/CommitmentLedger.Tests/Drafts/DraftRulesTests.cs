using System.Text.Json.Nodes;
using CommitmentLedger.Drafts;

namespace CommitmentLedger.Tests.Drafts;

public class DraftRulesTests
{
    private const string Readout = "Minister Kishi vowed to continue capacity building in cybersecurity.";

    [Fact]
    public void a_new_phrasing_is_read_once_it_is_added_to_the_rules_file_without_a_code_change()
    {
        Drafter.Read(Readout, DraftRules.For("en")!).ShouldBeEmpty("'vowed' is not in the shipped English rules");

        var rules = JsonNode.Parse(File.ReadAllText(Path.Combine(DraftRules.Folder, "en.json")))!.AsObject();
        var pledged = rules["verbs"]!.AsArray().Single(v => v!["id"]!.GetValue<string>() == "pledged")!;
        pledged["pattern"] = pledged["pattern"]!.GetValue<string>() + "|\\bvowed\\b";
        var edited = Path.Combine(Path.GetTempPath(), $"en-{Guid.NewGuid():N}.json");
        File.WriteAllText(edited, rules.ToJsonString());
        try
        {
            var draft = Drafter.Read(Readout, DraftRules.Load(edited)).ShouldHaveSingleItem();

            draft.Strength.ShouldBe("pledged");
            draft.Actor.ShouldBe("JP-MOD");
            draft.Area.ShouldBe("cybersecurity");
            draft.Rules.ShouldContain("en.verb.pledged");
        }
        finally
        {
            File.Delete(edited);
        }
    }

    [Fact]
    public void a_broken_pattern_in_a_rules_file_fails_at_load_naming_the_file()
    {
        var broken = Path.Combine(Path.GetTempPath(), $"xx-{Guid.NewGuid():N}.json");
        File.WriteAllText(broken, """{"language": "xx", "sentence": "[^。", "verbs": []}""");
        try
        {
            Should.Throw<InvalidOperationException>(() => DraftRules.Load(broken)).Message.ShouldContain(broken);
        }
        finally
        {
            File.Delete(broken);
        }
    }

    [Fact]
    public void offsets_count_code_points_so_a_character_outside_the_bmp_counts_once()
    {
        var text = "𠮷田大臣の発言。両大臣は協力を進めていくことで一致しました。";

        var draft = Drafter.Read(text, DraftRules.For("ja")!).ShouldHaveSingleItem();

        draft.SentenceStart.ShouldBe(8, "𠮷 is two UTF-16 units but one character");
        draft.Strength.ShouldBe("agreed");
        draft.Actor.ShouldBe(Drafter.Both);
    }
}

using System.Text.Json.Nodes;
using CommitmentLedger.Drafts;
using Xunit.Abstractions;

namespace CommitmentLedger.Tests.Drafts;

/// <summary>
/// The figures in README ("Drafts from a source's own words"): run with
/// <c>dotnet test tests/CommitmentLedger.Tests --filter DraftMeasurementTests --logger "console;verbosity=detailed"</c>.
/// </summary>
public class DraftMeasurementTests(ITestOutputHelper output)
{
    [Fact]
    public void the_founding_release_drafts_cover_every_sample_commitment_with_its_strength_and_actor()
    {
        var meeting = Samples.Meeting();
        var text = meeting["source"]!["text"]!.GetValue<string>();
        var drafts = Drafter.Read(text, DraftRules.For("ja")!);

        var measured = DraftMeasurement.Of(text, drafts, DraftMeasurement.FromImport(meeting));

        output.WriteLine("Founding release (ja, deploy/sample-data):");
        output.WriteLine(measured.ToString());
        output.WriteLine(DraftTable.Render(drafts));
        measured.Missed.ShouldBeEmpty();
        measured.Total.ShouldBe(22);
        measured.ParentsFound.ShouldBeGreaterThanOrEqualTo(5);
        measured.Precision.ShouldBeGreaterThanOrEqualTo(0.9);
    }

    [Fact]
    public void the_english_fixture_drafts_cover_its_expected_commitments_with_their_strength_and_actor()
    {
        var fixture = EnglishFixture();
        var text = fixture["source"]!["text"]!.GetValue<string>();
        var drafts = Drafter.Read(text, DraftRules.For("en")!);
        var expected = fixture["expected"]!.AsArray().Select(e => new ExpectedCommitment(
            e!["quote"]!.GetValue<string>(), e["strength"]!.GetValue<string>(), e["actor"]!.GetValue<string>())).ToList();

        var measured = DraftMeasurement.Of(text, drafts, expected);

        output.WriteLine("English fixture (tests/CommitmentLedger.Tests/Drafts/en-readout-fixture.json):");
        output.WriteLine(measured.ToString());
        output.WriteLine(DraftTable.Render(drafts));
        measured.Missed.ShouldBeEmpty();
        measured.Precision.ShouldBeGreaterThanOrEqualTo(0.9);
    }

    public static JsonObject EnglishFixture()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "tests", "CommitmentLedger.Tests", "Drafts", "en-readout-fixture.json");
            if (File.Exists(path)) return JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        }
        throw new InvalidOperationException($"No en-readout-fixture.json above {AppContext.BaseDirectory}");
    }
}

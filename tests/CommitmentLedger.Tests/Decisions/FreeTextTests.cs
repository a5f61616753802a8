using CommitmentLedger.Commitments;

namespace CommitmentLedger.Tests.Decisions;

public class FreeTextTests
{
    [Fact]
    public void bigrams_cover_every_two_character_piece_of_every_language_without_blanks()
    {
        var bigrams = FreeText.BigramsOf(["Cyber MOU", "サイバー覚書"]);

        bigrams.ShouldContain("覚書");
        bigrams.ShouldContain("サイ");
        bigrams.ShouldContain("mo");
        bigrams.ShouldNotContain("r ");
        bigrams.ShouldBeUnique();
    }

    [Theory]
    [InlineData("覚書", true)]
    [InlineData("x", false)]
    [InlineData("mo", true)]
    [InlineData("a b", false)]
    [InlineData("協議を", false)]
    public void only_two_character_terms_without_blanks_use_the_bigram_lookup(string term, bool expected) =>
        FreeText.IsBigramTerm(term).ShouldBe(expected);
}

namespace CommitmentLedger.Tests.Http;

/// <summary>The service reads time only from its <see cref="TimeProvider"/>: moving it moves what clients see.</summary>
public class ClockTests(AppFixture fixture) : LedgerContext(fixture)
{
    [Fact]
    public async Task Overdue_and_the_default_effective_date_follow_the_service_clock()
    {
        Clock.MoveTo("2022-12-31");
        var id = (await Host.Create(Samples.Commitment(dueOn: "2022-12-31"))).Id();
        (await Host.Get($"/api/commitments/{id}"))["overdue"]!.GetValue<bool>().ShouldBeFalse();
        var progress = await Host.Write("POST", $"/api/commitments/{id}/progress", new { note = "Teams selected" });
        progress["lastProgress"]!["effectiveOn"].Text().ShouldBe("2022-12-31");

        Clock.MoveTo("2023-01-01");
        (await Host.Get($"/api/commitments/{id}"))["overdue"]!.GetValue<bool>().ShouldBeTrue();
        (await Host.Get("/api/commitments?overdue=true"))["items"]!.AsArray().Select(i => i!["id"].Text()).ShouldBe([id]);
    }
}

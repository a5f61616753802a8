namespace CommitmentLedger.Tests.Http;

public class AssessmentTests(AppFixture fixture) : LedgerContext(fixture)
{
    private static object Assessment(string assessor, string completion, string period, string? verdict = null) => new
    {
        completion, verdict, assessor, method = "desk review of MOD announcements", period, note = $"{assessor}: {completion}",
    };

    [Fact]
    public async Task the_view_shows_the_latest_assessment_of_each_assessor_and_leaves_the_lifecycle_alone()
    {
        var id = (await Host.Create(Samples.Commitment())).Id();
        var url = $"/api/commitments/{id}/assessments";
        await Host.Write("POST", url, Assessment("IRM", "limited", "2022-01-01/2022-06-30"));
        await Host.Write("POST", url, Assessment("IRM", "substantial", "2022-07-01/2022-12-31", verdict: "major"));
        await Host.Write("POST", url, Assessment("Diet research office", "not_started", "2022-01-01/2022-03-31"));
        // An assessment of an earlier period that arrives late does not hide the newer one.
        var view = await Host.Write("POST", url, Assessment("IRM", "not_started", "2021-11-23/2021-12-31"));

        var latest = view["assessments"]!.AsArray();
        latest.Select(a => a!["assessor"].Text()).ShouldBe(["Diet research office", "IRM"]);
        latest[1]!["completion"].Text().ShouldBe("substantial");
        latest[1]!["verdict"].Text().ShouldBe("major");
        latest[1]!["period"]!["from"].Text().ShouldBe("2022-07-01");
        latest[1]!["period"]!["to"].Text().ShouldBe("2022-12-31");
        latest[1]!["method"].Text().ShouldBe("desk review of MOD announcements");
        latest[1]!["recordedBy"].Text().ShouldBe("test-admin");
        latest[0]!["completion"].Text().ShouldBe("not_started");
        latest[0]!["verdict"].ShouldBeNull();
        view["status"].Text().ShouldBe("declared", "an assessment is not a lifecycle move");
        view["version"]!.GetValue<long>().ShouldBe(5);

        var midYear = await Host.Get($"/api/commitments/{id}?validAt=2022-07-15");
        midYear["assessments"]!.AsArray().Select(a => $"{a!["assessor"].Text()}:{a["completion"].Text()}")
            .ShouldBe(["Diet research office:not_started", "IRM:limited"]);
    }

    [Fact]
    public async Task a_terminal_commitment_can_still_be_assessed()
    {
        var id = (await Host.Create(Samples.Commitment(status: "completed"))).Id();

        var view = await Host.Write("POST", $"/api/commitments/{id}/assessments", Assessment("IRM", "complete", "2021-11-23/2022-11-22"));

        view["assessments"]![0]!["completion"].Text().ShouldBe("complete");
    }
}

using System.Text.Json.Nodes;
using CommitmentLedger.Reviews;
using CommitmentLedger.Tests.Http;
using JasperFx.Core;
using Wolverine;
using Wolverine.Tracking;

namespace CommitmentLedger.Tests.Reviews;

public class ReviewTests(AppFixture fixture) : LedgerContext(fixture)
{
    [Fact]
    public async Task A_review_falls_due_once_per_period_without_progress_and_progress_answers_it()
    {
        Clock.MoveTo("2022-01-01");
        JsonObject created = null!;
        var recording = await Host.ExecuteAndWaitAsync(async (IMessageContext _) =>
        {
            var body = Samples.Commitment();
            body["reviewEvery"] = "P6M";
            created = await Host.Create(body);
        });
        var id = created.Id();
        created["reviewEvery"].Text().ShouldBe("P6M");
        recording.Scheduled.SingleMessage<ReviewCheck>().CommitmentId.ShouldBe(Guid.Parse(id));
        Clock.MoveTo("2022-03-01");
        await Host.Write("POST", $"/api/commitments/{id}/progress", new { note = "Teams selected" });

        // Made 2021-11-23, progress 2022-03-01: the review is due 2022-09-01, not 2022-05-23.
        Clock.MoveTo("2022-06-01");
        var early = await recording.PlayScheduledMessagesAsync(30.Seconds());
        (await DueIds()).ShouldBeEmpty();

        Clock.MoveTo("2022-09-02");
        var due = await early.PlayScheduledMessagesAsync(30.Seconds());
        (await DueIds()).ShouldBe([id]);
        var listed = (await Host.Get("/api/reviews/due"))["items"]![0]!;
        listed["reviewDueSince"].Text().ShouldBe("2022-09-01");

        // The next check, delivered the same day, finds the new period just begun: one entry per period.
        await due.PlayScheduledMessagesAsync(30.Seconds());
        (await History(id)).Count(t => t == "ReviewDue").ShouldBe(1);

        await Host.Write("POST", $"/api/commitments/{id}/progress", new { note = "First team arrived" });
        (await DueIds()).ShouldBeEmpty();
        (await Host.Get($"/api/commitments/{id}"))["reviewDueSince"].ShouldBeNull();
    }

    [Fact]
    public async Task Commitments_without_a_due_date_get_the_configured_default_period_and_those_with_one_do_not()
    {
        // The shared test host has no default period (AppFixture.NoDefaultReviews); this one has the service's.
        await using var host = await AppFixture.StartHost(AppFixture.ConnectionString, Clock,
            settings: (ReviewSettings.DefaultPeriodKey, "P6M"));
        Clock.MoveTo("2022-01-01");
        var withoutDueDate = await host.ExecuteAndWaitAsync(async (IMessageContext _) => await host.Create(Samples.Commitment()));
        withoutDueDate.Scheduled.MessagesOf<ReviewCheck>().Count().ShouldBe(1);
        var withDueDate = await host.ExecuteAndWaitAsync(async (IMessageContext _) =>
            await host.Create(Samples.Commitment(dueOn: "2023-12-31")));
        withDueDate.Scheduled.MessagesOf<ReviewCheck>().ShouldBeEmpty();

        // Default P6M from 2021-11-23: due on 2022-05-23.
        Clock.MoveTo("2022-05-23");
        await withoutDueDate.PlayScheduledMessagesAsync(30.Seconds());
        (await host.Get("/api/reviews/due"))["items"]![0]!["reviewDueSince"].Text().ShouldBe("2022-05-23");
    }

    [Fact]
    public async Task Without_a_default_period_a_commitment_without_a_due_date_gets_no_review_checks()
    {
        Clock.MoveTo("2022-01-01");
        var recording = await Host.ExecuteAndWaitAsync(async (IMessageContext _) => await Host.Create(Samples.Commitment()));
        recording.Scheduled.MessagesOf<ReviewCheck>().ShouldBeEmpty();
    }

    [Theory]
    [InlineData("P6M", "2022-05-23")]
    [InlineData("P1Y", "2022-11-23")]
    [InlineData("P2W", "2021-12-07")]
    [InlineData("P1DT24H", "2021-11-25")]
    public void Review_periods_are_calendar_durations(string text, string next)
    {
        ReviewPeriod.Parse(text).After(new DateOnly(2021, 11, 23)).ToString("yyyy-MM-dd").ShouldBe(next);
    }

    private async Task<List<string>> DueIds() =>
        (await Host.Get("/api/reviews/due"))["items"]!.AsArray().Select(i => i!["id"].Text()).ToList();

    private async Task<List<string>> History(string id) =>
        (await Host.Get($"/api/commitments/{id}/history")).AsArray().Select(e => e!["type"].Text()).ToList();
}

using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace CommitmentLedger.BrowserTests;

[Collection(DashboardCollection.Name)]
public class DashboardTests(DashboardService service)
{
    private const string Meeting = "日越防衛相会談(概要)";

    private async Task<JsonElement[]> Commitments(string query = "") =>
        (await service.Api.GetFromJsonAsync<JsonElement>($"/api/commitments?limit=500{query}")).GetProperty("items").EnumerateArray().ToArray();

    private async Task Screenshot(IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(service.Screenshots, name + ".png"), FullPage = true });

    [Fact]
    public async Task the_portfolio_counts_the_meeting_and_filtering_to_overdue_lists_what_is_late()
    {
        var late = (await Commitments()).First(c => c.GetProperty("dueOn").ValueKind == JsonValueKind.Null);
        var id = late.GetProperty("id").GetString();
        (await service.Api.PutAsJsonAsync($"/api/commitments/{id}/due-date", new { dueOn = "2022-06-30", reason = "Agreed timetable" }))
            .EnsureSuccessStatusCode();
        var total = (await Commitments()).Length;
        var overdue = (await Commitments("&overdue=true")).Length;
        await service.PortfolioCaughtUp();

        var page = await service.NewPage();
        await page.GotoAsync("/");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Portfolio" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync($"{total} commitments, {overdue} overdue");
        (await page.Locator("svg[aria-label='Commitments by status'] rect").CountAsync()).ShouldBe(6);
        // The daemon may be projecting the DeadlineMissed that the past due date just caused: either line will do.
        await Assertions.Expect(page.Locator("#lag")).ToContainTextAsync(new System.Text.RegularExpressions.Regex("Up to date|behind the ledger"));
        await Screenshot(page, "portfolio");

        await page.GetByRole(AriaRole.Link, new() { Name = "Commitments", Exact = true }).ClickAsync();
        await page.GetByLabel("Overdue").SelectOptionAsync("true");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();

        await Assertions.Expect(page.Locator("#count")).ToHaveTextAsync($"{overdue} commitment{(overdue == 1 ? "" : "s")}");
        await Assertions.Expect(page.Locator($"tr[data-id='{id}']")).ToContainTextAsync("2022-06-30 (overdue)");
        await Screenshot(page, "list-overdue");
    }

    [Fact]
    public async Task the_portfolio_shows_the_50_most_overdue_and_links_to_every_one_when_there_are_more()
    {
        var file = new
        {
            source = new { key = "browser-overdue-batch", title = "Overdue batch", publisher = "Browser tests", publishedOn = "2019-06-01", language = "en" },
            commitments = Enumerable.Range(1, 55).Select(i => new
            {
                @ref = $"late-{i}", kind = "action", strength = "pledged", title = new Dictionary<string, string> { ["en"] = $"Late batch item {i}" },
                parties = new[] { "JP-MOD" }, area = "logistics", madeOn = "2019-06-01", dueOn = $"2020-01-{i % 28 + 1:00}",
            }),
        };
        (await service.Api.PostAsJsonAsync("/api/imports", file)).EnsureSuccessStatusCode();
        var overdue = (await Commitments("&overdue=true")).Length;
        overdue.ShouldBeGreaterThan(50);
        await service.PortfolioCaughtUp();

        var page = await service.NewPage();
        await page.GotoAsync("/");
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync($"commitments, {overdue} overdue");
        await Assertions.Expect(page.Locator("#overdue-shown")).ToContainTextAsync($"The 50 most overdue of {overdue}");
        (await page.Locator("tr[data-id]").CountAsync()).ShouldBe(50);
        await Screenshot(page, "portfolio-overdue-capped");

        await page.Locator("#overdue-shown a").ClickAsync();
        await Assertions.Expect(page.Locator("#count")).ToHaveTextAsync($"{overdue} commitments");
        page.Url.ShouldEndWith("#/commitments?overdue=true");
    }

    [Fact]
    public async Task a_long_list_shows_200_and_show_more_fetches_the_next_page()
    {
        var file = new
        {
            source = new { key = "browser-long-list", title = "Long list", publisher = "Browser tests", publishedOn = "2019-06-01", language = "en" },
            commitments = Enumerable.Range(1, 205).Select(i => new
            {
                @ref = $"long-{i}", kind = "action", strength = "pledged", title = new Dictionary<string, string> { ["en"] = $"Long list item {i}" },
                parties = new[] { "JP-MOD" }, area = "long-list-area", madeOn = "2019-06-01",
            }),
        };
        (await service.Api.PostAsJsonAsync("/api/imports", file)).EnsureSuccessStatusCode();

        var page = await service.NewPage();
        await page.GotoAsync("/#/commitments?area=long-list-area");
        await Assertions.Expect(page.Locator("#count")).ToHaveTextAsync("200 commitments");
        await Assertions.Expect(page.Locator("#more")).ToBeVisibleAsync();

        await page.Locator("#more").ClickAsync();

        await Assertions.Expect(page.Locator("#count")).ToHaveTextAsync("205 commitments");
        (await page.Locator("tr[data-id]").CountAsync()).ShouldBe(205);
        await Assertions.Expect(page.Locator("#more")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task progress_recorded_through_the_form_appears_on_the_timeline_and_an_earlier_as_of_shows_the_earlier_status()
    {
        var declared = (await Commitments("&status=declared&kind=action")).First();
        var id = declared.GetProperty("id").GetString()!;
        var page = await service.NewPage();

        await page.GotoAsync("/#/meetings");
        await page.GetByRole(AriaRole.Link, new() { Name = Meeting }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = Meeting })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#rollup")).ToContainTextAsync("commitments");
        await Screenshot(page, "meeting");
        await page.Locator($"a[href='#/commitments/{id}']").First.ClickAsync();
        await Assertions.Expect(page.Locator("main p").First).ToContainTextAsync("declared");
        await Assertions.Expect(page.Locator("#integrity")).ToContainTextAsync("hash chain intact");

        const string note = "Experts arrived in Hanoi — các chuyên gia đã đến Hà Nội";
        await page.GetByLabel("Progress note").FillAsync(note);
        await page.GetByRole(AriaRole.Button, new() { Name = "Report progress" }).ClickAsync();
        await Assertions.Expect(page.Locator(".timeline")).ToContainTextAsync(note);

        var history = await service.Api.GetFromJsonAsync<JsonElement[]>($"/api/commitments/{id}/history");
        var reported = DateTimeOffset.Parse(history!.Last().GetProperty("recordedAt").GetString()!);
        await page.GetByLabel("New status").SelectOptionAsync("in_progress");
        await page.GetByLabel("Reason").FillAsync("Dispatch began");
        await page.GetByRole(AriaRole.Button, new() { Name = "Change status" }).ClickAsync();
        await Assertions.Expect(page.Locator("main p").First).ToContainTextAsync("in progress");
        await Screenshot(page, "commitment");

        // A second before the progress report: after the import (the service took longer than that to start).
        var before = reported.UtcDateTime.AddTicks(-(reported.UtcDateTime.Ticks % TimeSpan.TicksPerSecond)).AddSeconds(-1);
        // Chromium writes a datetime-local without ":00" seconds, and Playwright's fill checks the value it reads back.
        await page.GetByLabel("Show as the ledger knew it at").FillAsync(before.ToString(before.Second == 0 ? "yyyy-MM-ddTHH:mm" : "yyyy-MM-ddTHH:mm:ss"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();

        await Assertions.Expect(page.Locator("#asof-note")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("main p").First).ToContainTextAsync("declared");
        await Assertions.Expect(page.Locator("main p").First).Not.ToContainTextAsync("in progress");
        await Screenshot(page, "commitment-as-of");
    }

    [Fact]
    public async Task an_error_from_the_api_is_shown_next_to_the_field_it_names()
    {
        var id = (await Commitments("&status=declared")).Last().GetProperty("id").GetString();
        var page = await service.NewPage();
        await page.GotoAsync($"/#/commitments/{id}");

        await page.GetByRole(AriaRole.Button, new() { Name = "Report progress" }).ClickAsync();

        var error = page.Locator("#progress-form [data-error-for='note']");
        await Assertions.Expect(error).ToContainTextAsync("required");
        (await service.Api.GetFromJsonAsync<JsonElement>($"/api/commitments/{id}")).GetProperty("lastProgress").ValueKind
            .ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task a_reader_sees_the_commitment_but_no_recording_forms()
    {
        var id = (await Commitments()).First().GetProperty("id").GetString();
        var reader = await service.Token("browser-reader", "reader");
        var page = await service.NewPage(token: reader);

        await page.GotoAsync($"/#/commitments/{id}");

        await Assertions.Expect(page.Locator(".timeline")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#record-hint")).ToContainTextAsync("recorder role");
        (await page.Locator("form.record").CountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task pages_fit_a_narrow_window_and_show_japanese_titles_with_their_language()
    {
        var page = await service.NewPage(width: 380, height: 800);
        await page.GotoAsync("/#/commitments?q=%E8%A6%9A%E6%9B%B8");
        await Assertions.Expect(page.Locator("#count")).Not.ToHaveTextAsync("0 commitments");
        (await page.Locator("[lang='ja']").CountAsync()).ShouldBeGreaterThan(0);

        var overflow = await page.EvaluateAsync<bool>("document.documentElement.scrollWidth > window.innerWidth + 1");
        overflow.ShouldBeFalse("the list must not scroll sideways on a 380 px window");
        await Screenshot(page, "list-narrow");
    }
}

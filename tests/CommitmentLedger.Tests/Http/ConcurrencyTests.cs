using Alba;

namespace CommitmentLedger.Tests.Http;

public class ConcurrencyTests(AppFixture fixture) : LedgerContext(fixture)
{
    [Fact]
    public async Task sixteen_parallel_writers_on_one_stream_lose_no_acknowledged_write()
    {
        var id = (await Host.Create(Samples.Commitment())).Id();

        var writers = Enumerable.Range(0, 16).Select(async i =>
        {
            var result = await Host.Scenario(s =>
            {
                s.Post.Json(new { note = $"writer {i}" }).ToUrl($"/api/commitments/{id}/progress");
                s.IgnoreStatusCode();
            });
            return (Writer: i, Status: result.Context.Response.StatusCode);
        });
        var outcomes = await Task.WhenAll(writers);

        outcomes.Select(o => o.Status).ShouldAllBe(status => status == 200 || status == 409);
        var acknowledged = outcomes.Where(o => o.Status == 200).Select(o => $"writer {o.Writer}").ToHashSet();
        acknowledged.ShouldNotBeEmpty();

        var history = (await Host.Get($"/api/commitments/{id}/history")).AsArray();
        var stored = history.Where(e => e!["type"].Text() == "ProgressReported").Select(e => e!["data"]!["note"].Text()).ToHashSet();
        stored.ShouldBe(acknowledged, ignoreOrder: true);
        (await Host.Get($"/api/commitments/{id}"))["version"]!.GetValue<long>().ShouldBe(1 + acknowledged.Count);
    }
}

using System.Text.Json.Nodes;
using Alba;
using CommitmentLedger.Deadlines;
using CommitmentLedger.Tests.Http;
using JasperFx.Core;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Wolverine;
using Wolverine.Runtime;
using Wolverine.Tracking;
using Wolverine.Util;

namespace CommitmentLedger.Tests.Deadlines;

/// <summary>
/// Setting a due date schedules a durable check for the moment it passes; the tests move the service's clock past
/// it and have Wolverine deliver what it scheduled (tracked sessions), never sleeping.
/// </summary>
public class DeadlineTests(AppFixture fixture) : LedgerContext(fixture)
{
    [Fact]
    public async Task A_due_date_that_passes_while_the_commitment_is_open_appends_DeadlineMissed_once()
    {
        Clock.MoveTo("2022-06-01");
        JsonObject created = null!;
        var recording = await Host.ExecuteAndWaitAsync(async (IMessageContext _) =>
            created = await Host.Create(Samples.Commitment(dueOn: "2022-12-31")));
        var check = recording.Scheduled.SingleMessage<DeadlineCheck>();
        check.DueOn.ShouldBe(new DateOnly(2022, 12, 31));

        Clock.MoveTo(new DateTimeOffset(2023, 1, 1, 0, 0, 1, TimeSpan.Zero));
        await recording.PlayScheduledMessagesAsync(30.Seconds());

        var history = await History(created.Id());
        history.Count(t => t == "DeadlineMissed").ShouldBe(1);
        var view = await Host.Get($"/api/commitments/{created.Id()}");
        view["overdue"]!.GetValue<bool>().ShouldBeTrue();

        // The same message delivered again (a redelivery after a crash) appends nothing.
        await Host.InvokeMessageAndWaitAsync(check);
        (await History(created.Id())).Count(t => t == "DeadlineMissed").ShouldBe(1);
    }

    [Fact]
    public async Task A_check_delivered_before_the_ledger_clock_reaches_the_date_waits_for_it()
    {
        Clock.MoveTo("2022-06-01");
        JsonObject created = null!;
        var recording = await Host.ExecuteAndWaitAsync(async (IMessageContext _) =>
            created = await Host.Create(Samples.Commitment(dueOn: "2022-12-31")));

        Clock.MoveTo("2022-12-31");
        var early = await recording.PlayScheduledMessagesAsync(30.Seconds());
        (await History(created.Id())).ShouldNotContain("DeadlineMissed");
        early.Scheduled.SingleMessage<DeadlineCheck>().DueOn.ShouldBe(new DateOnly(2022, 12, 31));

        Clock.MoveTo("2023-01-01");
        await early.PlayScheduledMessagesAsync(30.Seconds());
        (await History(created.Id())).Count(t => t == "DeadlineMissed").ShouldBe(1);
    }

    [Fact]
    public async Task Moving_the_due_date_makes_the_earlier_check_a_no_op()
    {
        Clock.MoveTo("2022-06-01");
        var created = await Host.Create(Samples.Commitment(dueOn: "2022-12-31"));
        var id = created.Id();
        var moved = await Host.ExecuteAndWaitAsync(async (IMessageContext _) =>
            await Host.Write("PUT", $"/api/commitments/{id}/due-date", new { dueOn = "2023-06-30", reason = "Extended" }));
        moved.Scheduled.SingleMessage<DeadlineCheck>().DueOn.ShouldBe(new DateOnly(2023, 6, 30));

        Clock.MoveTo("2023-01-05");
        await Host.InvokeMessageAndWaitAsync(new DeadlineCheck(Guid.Parse(id), new DateOnly(2022, 12, 31)));
        (await History(id)).ShouldNotContain("DeadlineMissed");

        Clock.MoveTo("2023-07-01");
        await moved.PlayScheduledMessagesAsync(30.Seconds());
        var history = await Host.Get($"/api/commitments/{id}/history");
        var missed = history.AsArray().Where(e => e!["type"].Text() == "DeadlineMissed").ToList();
        missed.Count.ShouldBe(1);
        missed[0]!["data"]!["dueOn"].Text().ShouldBe("2023-06-30");
        missed[0]!["effectiveOn"].Text().ShouldBe("2023-07-01");
    }

    [Fact]
    public async Task A_commitment_completed_before_its_due_date_never_misses_it()
    {
        Clock.MoveTo("2022-06-01");
        JsonObject created = null!;
        var recording = await Host.ExecuteAndWaitAsync(async (IMessageContext _) =>
            created = await Host.Create(Samples.Commitment(dueOn: "2022-12-31")));
        foreach (var status in new[] { "in_progress", "completed" })
        {
            await Host.Write("POST", $"/api/commitments/{created.Id()}/status",
                new { status, reason = "Done", effectiveOn = "2022-06-01" });
        }

        Clock.MoveTo("2023-02-01");
        await recording.PlayScheduledMessagesAsync(30.Seconds());
        (await History(created.Id())).ShouldNotContain("DeadlineMissed");
    }

    [Fact]
    public async Task A_restart_between_scheduling_and_delivery_loses_nothing_and_appends_once()
    {
        var database = await OwnDatabase("restart");
        var clock = new TestClock();
        clock.MoveTo("2022-06-01");
        string id;
        await using (var before = await AppFixture.StartHost(database, clock))
        {
            await before.ResetAllMartenDataAsync();
            await before.Services.GetRequiredService<IWolverineRuntime>().Storage.Admin.ClearAllAsync();
            id = (await before.Create(Samples.Commitment(dueOn: "2022-12-31"))).Id();
        }

        clock.MoveTo("2023-01-02");
        await using var after = await AppFixture.StartHost(database, clock,
            services => services.ConfigureWolverine(o => o.Durability.ScheduledJobPollingTime = 250.Milliseconds()));
        var storage = after.Services.GetRequiredService<IWolverineRuntime>().Storage;
        var stored = (await storage.Admin.AllIncomingAsync()).Single(e => e.MessageType == typeof(DeadlineCheck).ToMessageTypeName());
        stored.Status.ToString().ShouldBe("Scheduled");
        stored.ScheduledTime.ShouldNotBeNull().ShouldBeGreaterThan(DateTimeOffset.UtcNow.AddDays(1));

        // Wolverine schedules on the wall clock, which a test cannot move: bring the stored execution time forward
        // and let the restarted host's durability agent find and deliver the persisted message.
        await after.TrackActivity().Timeout(60.Seconds())
            .WaitForMessageToBeReceivedAt<DeadlineCheck>(after)
            .ExecuteAndWaitAsync((IMessageContext _) =>
            {
                stored.ScheduledTime = DateTimeOffset.UtcNow;
                return storage.Inbox.RescheduleExistingEnvelopeForRetryAsync(stored);
            });

        (await History(after, id)).Count(t => t == "DeadlineMissed").ShouldBe(1);
        await after.InvokeMessageAndWaitAsync(new DeadlineCheck(Guid.Parse(id), new DateOnly(2022, 12, 31)));
        (await History(after, id)).Count(t => t == "DeadlineMissed").ShouldBe(1);
    }

    private Task<List<string>> History(string id) => History(Host, id);

    private static async Task<List<string>> History(IAlbaHost host, string id) =>
        (await host.Get($"/api/commitments/{id}/history")).AsArray().Select(e => e!["type"].Text()).ToList();

    /// <summary>A database of this test's own, so the shared host's durability agent cannot deliver its messages.</summary>
    public static async Task<string> OwnDatabase(string suffix)
    {
        var builder = new NpgsqlConnectionStringBuilder(AppFixture.ConnectionString);
        var name = $"{builder.Database}_{suffix}";
        await using (var connection = new NpgsqlConnection(builder.ConnectionString))
        {
            await connection.OpenAsync();
            await using var exists = new NpgsqlCommand("select 1 from pg_database where datname = @name", connection);
            exists.Parameters.AddWithValue("name", name);
            if (await exists.ExecuteScalarAsync() is null)
            {
                await using var create = new NpgsqlCommand($"create database \"{name}\"", connection);
                await create.ExecuteNonQueryAsync();
            }
        }
        builder.Database = name;
        return builder.ConnectionString;
    }
}

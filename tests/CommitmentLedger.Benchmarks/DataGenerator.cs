using CommitmentLedger.Commitments;
using JasperFx.Events;
using Marten;

namespace CommitmentLedger.Benchmarks;

/// <summary>
/// Loads commitments with their events through Marten's fastest path, <c>BulkInsertEventsAsync</c>
/// (PostgreSQL COPY). Bulk inserts bypass the inline projection, so the views are built afterwards by
/// the service's <c>rebuild</c>, which is also what P4 measures.
/// </summary>
public sealed class DataGenerator(DocumentStore store, int eventsPerCommitment)
{
    private const int Batch = 5_000;
    private readonly List<Guid> _ids = [];

    public IReadOnlyList<Guid> Ids => _ids;

    public async Task LoadUpTo(int commitments)
    {
        var start = _ids.Count;
        for (var from = start; from < commitments; from += Batch)
        {
            var to = Math.Min(commitments, from + Batch);
            var streams = new List<StreamAction>(to - from);
            for (var i = from; i < to; i++)
            {
                var id = CommitmentIds.Next(TimeProvider.System);
                _ids.Add(id);
                streams.Add(StreamAction.Start(store.Events, id, EventsOf(i, eventsPerCommitment)));
            }
            await store.BulkInsertEventsAsync(streams);
            Console.Error.Write($"\r  loaded {to:N0}/{commitments:N0} commitments ({(long)to * eventsPerCommitment:N0} events)   ");
        }
        Console.Error.WriteLine();
    }

    /// <summary>
    /// A progress report appended through Marten in this process, as the service's write does it (fetch for
    /// writing, append, commit with the inline projection) minus HTTP: the ceiling of P1 for this data model.
    /// </summary>
    public async Task AppendProgress(Guid id, string note)
    {
        await using var session = store.LightweightSession();
        var stream = await session.Events.FetchForWriting<Commitment>(id);
        stream.AppendOne(new ProgressReported(note, DateOnly.FromDateTime(DateTime.UtcNow), []));
        await session.SaveChangesAsync();
    }

    /// <summary>Commitment number i with its events: recorded, in progress, then progress reports.</summary>
    public static object[] EventsOf(int i, int eventsPerCommitment)
    {
        var recorded = new CommitmentRecorded(
            ExternalRef: $"bench/{i}",
            Kind: CommitmentKind.Action,
            Strength: Strength.Agreed,
            Title: new Dictionary<string, string>
            {
                ["en"] = $"Benchmark commitment {i} on area {i % 20}",
                ["ja"] = $"ベンチマークの約束 {i} 協議",
            },
            Parties: ["JP-MOD", $"P-{i % 30}"],
            Responsible: ["JP-MOD"],
            Area: $"area-{i % 20}",
            MadeOn: new DateOnly(2021, 11, 23),
            DueOn: i % 10 == 0 ? new DateOnly(2023, 1, 1) : null,
            Status: LifecycleStatus.Declared,
            ParentId: null,
            Source: null,
            ContentHash: "");
        var events = new object[eventsPerCommitment];
        events[0] = recorded with { ContentHash = NewCommitmentRules.HashOf(recorded) };
        if (eventsPerCommitment > 1)
        {
            events[1] = new StatusChanged(LifecycleStatus.Declared, LifecycleStatus.InProgress, "talks began", new DateOnly(2022, 1, 1));
        }
        for (var k = 2; k < eventsPerCommitment; k++)
        {
            events[k] = new ProgressReported($"progress report {k} of commitment {i}", new DateOnly(2022, 1, 1).AddDays(k), []);
        }
        return events;
    }
}

using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using CommitmentLedger.Infrastructure;
using JasperFx.Events;
using Marten;
using Marten.Internal;
using Npgsql;
using NpgsqlTypes;
using Weasel.Storage;

namespace CommitmentLedger.Commitments;

public sealed record RebuildProgress(long Views, long Streams, string? Step = null);

/// <param name="Written">Rows written because their view was missing or differed.</param>
/// <param name="Removed">Rows removed because they differed from their rebuilt view or had no stream.</param>
/// <param name="TableReplaced">Whether the rebuilt views replaced the whole table (many rows to write) rather than
/// only the rows that differ.</param>
public sealed record RebuildResult(long Views, long Events, TimeSpan Elapsed, long Written, long Removed, bool TableReplaced)
{
    public double EventsPerSecond => Events / Math.Max(Elapsed.TotalSeconds, 1e-6);
}

/// <summary>
/// Recomputes every row of <c>mt_doc_commitment</c> from the events, as the inline <see cref="CommitmentProjection"/>
/// would have written it, in one transaction. One connection reads the events in stream order with Marten's own
/// event reader and hands each whole stream over a bounded channel; the other folds it with
/// <see cref="CommitmentReplay.AsRecorded"/> and copies the view (binary COPY) into a staging table with no index but
/// one on the id. The rebuilt views are then compared with the rows. Nothing differs: nothing is written. A few
/// differ: only those rows are replaced, the others keep their row, index entries and mt_last_modified. Many differ
/// (more than <see cref="ReplaceTableAbove"/> of them, or the table was emptied): the staging table gets the table's
/// indexes, each built in one pass, and takes the table's place (<see cref="ViewTableSwap"/>), which beyond that share
/// is faster than replacing that many rows through the table's live indexes.
/// </summary>
/// <remarks>
/// Safe while the service runs. The table is first locked in EXCLUSIVE mode, which blocks every insert, update and
/// delete but not readers, and only then does the reader start its single SELECT, whose snapshot is taken after the
/// lock was granted. Every append of a commitment upserts its view in the same transaction as its events (the
/// projection is inline), so an append either committed before the lock (its events are in the snapshot) or is still
/// open and waits on the lock: it commits after the rebuild, its upsert replacing the rebuilt row of its stream with
/// the newer version. No append is lost or seen half. Readers see the old rows (MVCC) until the one commit; when the
/// table is replaced they wait only for the drop-and-rename at the end. The staging table is committed before the
/// lock is released only so that a second connection can build its indexes; a run that dies leaves it behind, and
/// the next run drops it first.
/// </remarks>
public static class CommitmentViewRebuild
{
    private const string TableName = "mt_doc_commitment";
    private const string Table = LedgerStore.Schema + "." + TableName;
    private const string StagingName = "mt_doc_commitment_rebuilding";
    private const string Staging = LedgerStore.Schema + "." + StagingName;

    /// <summary>
    /// Past this share of rows to write, replacing the table is as fast as replacing rows, and faster beyond. Measured
    /// at 100,000 views / 1,000,000 events: a quarter of the rows wrong took 8.3 s replaced in place and 8.1–8.6 s
    /// with the table replaced; every row wrong 9.1 s replaced (in place, before the swap and while the table still had
    /// a GIN index over the whole document: 12.1 s).
    /// </summary>
    public const double ReplaceTableAbove = 0.25;

    public static async Task<RebuildResult> RunAsync(IDocumentStore store, IProgress<RebuildProgress>? progress,
        CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var database = store.Storage.Database;
        await using var holder = database.CreateConnection();
        await holder.OpenAsync(ct);
        await using var transaction = await holder.BeginTransactionAsync(ct);
        await ExecuteAsync(holder, $"lock table {Table} in exclusive mode", ct);
        var streams = await CountAsync(holder, $"select count(*) from {LedgerStore.Schema}.mt_streams", ct);
        var rows = await CountAsync(holder, $"select count(*) from {Table}", ct);
        var plainTable = await ViewTableSwap.PrepareAsync(holder, LedgerStore.Schema, TableName, StagingName, ct);
        progress?.Report(new RebuildProgress(0, streams));

        await using var staging = database.CreateConnection();
        await staging.OpenAsync(ct);
        await ExecuteAsync(staging, $"drop table if exists {Staging}", ct);
        long views, events;
        Differences differences;
        await using (var load = await staging.BeginTransactionAsync(ct))
        {
            // Unlogged: most runs only compare, and a scratch table needs no WAL; one that replaces a logged table is
            // made logged first (a rewrite of its heap), before its indexes are built.
            await ExecuteAsync(staging, $"create unlogged table {Staging} (like {Table} including defaults including storage including compression)", ct);
            (views, events) = await ReadFoldAndCopyAsync(store, staging, n => progress?.Report(new RebuildProgress(n, streams)), ct);
            await ExecuteAsync(staging, $"create unique index {StagingName}_id on {Staging} (id)", ct);
            progress?.Report(new RebuildProgress(views, streams, "comparing the rebuilt views with the stored ones"));
            differences = await CompareAsync(staging, ct);
            if (differences.None)
            {
                await load.RollbackAsync(ct);
                await transaction.RollbackAsync(ct);
                return new RebuildResult(views, events, clock.Elapsed, 0, 0, false);
            }
            await load.CommitAsync(ct);
        }

        var replacement = differences.Rows > ReplaceTableAbove * Math.Max(rows, views) ? plainTable : null;
        try
        {
            if (replacement is { } swap)
            {
                progress?.Report(new RebuildProgress(views, streams, $"building the table's {swap.IndexCount} indexes on the rebuilt views"));
                await ExecuteAsync(staging, $"drop index {Staging}_id", ct);
                await swap.MatchPersistenceAsync(staging, ct);
                await swap.BuildIndexesAsync(async token =>
                {
                    var connection = database.CreateConnection();
                    await connection.OpenAsync(token);
                    return connection;
                }, ct);
                // Planner statistics before anyone plans on the new table (they stay with it through the rename).
                await ExecuteAsync(staging, $"analyze {Staging}", ct);
                await swap.SwapAsync(holder, ct);
            }
            else
            {
                await ReplaceChangedRowsAsync(holder, ct);
                await ExecuteAsync(holder, $"drop table {Staging}", ct);
            }
            await transaction.CommitAsync(ct);
        }
        catch
        {
            // Nothing of the rebuild stays: the table keeps its rows. The staging table was committed so that a
            // second connection could index it, so it is dropped too, once the rollback has freed what this
            // transaction held of it. (A run that dies here leaves it to the next run, which drops it first.)
            await QuietlyAsync(() => transaction.RollbackAsync(CancellationToken.None));
            await QuietlyAsync(() => ExecuteAsync(staging, $"drop table if exists {Staging}", CancellationToken.None));
            throw;
        }
        if (replacement is null)
        {
            // Fresh planner statistics now rather than whenever autovacuum gets to it: after a rebuild that rewrote
            // the table, a filtered list planned on the old statistics took 12 ms instead of 3 (the benchmark's P3).
            await ExecuteAsync(holder, $"analyze {Table}", ct);
        }
        clock.Stop();
        return new RebuildResult(views, events, clock.Elapsed, differences.Added + differences.Changed,
            differences.Gone + differences.Changed, replacement is not null);
    }

    /// <summary>A stored row <c>d</c> and its rebuilt view <c>r</c> agree on every column Marten's upsert writes.</summary>
    private const string SameRow =
        "(r.data, r.mt_version, r.mt_dotnet_type) is not distinct from (d.data, d.mt_version, d.mt_dotnet_type)";

    /// <param name="Added">Rebuilt views with no row.</param>
    /// <param name="Gone">Rows with no rebuilt view (no stream).</param>
    /// <param name="Changed">Rows that differ from their rebuilt view.</param>
    private sealed record Differences(long Added, long Gone, long Changed)
    {
        public bool None => Added + Gone + Changed == 0;
        public long Rows => Added + Gone + Changed;
    }

    /// <summary>Both tables read in id order (a merge join over their id indexes): a hash join would hold every document of one side in memory, or spill it.</summary>
    private static async Task<Differences> CompareAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await ExecuteAsync(connection, "set local enable_hashjoin = off; set local jit = off", ct);
        await using var command = new NpgsqlCommand(
            "select count(*) filter (where d.id is null), count(*) filter (where r.id is null), " +
            $"count(*) filter (where d.id is not null and r.id is not null and not {SameRow}) " +
            $"from {Table} d full join {Staging} r on r.id = d.id", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new Differences(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    private static async Task<(long Views, long Events)> ReadFoldAndCopyAsync(IDocumentStore store, NpgsqlConnection staging,
        Action<long> progress, CancellationToken ct)
    {
        var channel = Channel.CreateBounded<List<IEvent>>(new BoundedChannelOptions(1_024)
        {
            SingleReader = true,
            SingleWriter = true,
        });
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var reading = Task.Run(() => ReadStreamsAsync(store, channel.Writer, stopReading.Token), ct);
        long views;
        try
        {
            views = await FoldAndCopyAsync(store, staging, channel.Reader, progress, ct);
        }
        catch
        {
            await stopReading.CancelAsync();
            await Task.WhenAny(reading);
            throw;
        }
        return (views, await reading);
    }

    /// <summary>Every event in stream order, handed on a whole stream at a time.</summary>
    private static async Task<long> ReadStreamsAsync(IDocumentStore store, ChannelWriter<List<IEvent>> streams, CancellationToken ct)
    {
        try
        {
            long count = 0;
            var stream = new List<IEvent>();
            await foreach (var e in EventsInStreamOrderAsync(store, ct))
            {
                count++;
                if (stream.Count > 0 && stream[0].StreamId != e.StreamId)
                {
                    await streams.WriteAsync(stream, ct);
                    stream = new List<IEvent>(stream.Count);
                }
                stream.Add(e);
            }
            if (stream.Count > 0)
            {
                await streams.WriteAsync(stream, ct);
            }
            streams.Complete();
            return count;
        }
        catch (Exception e)
        {
            streams.TryComplete(e);
            throw;
        }
    }

    /// <summary>
    /// Every event not archived, ordered by stream and version, in one SELECT on its own connection, read by Marten's
    /// own reader of event rows (type mapping, serializer, metadata) as FetchStreamAsync reads them. The benchmark
    /// times it alone as the ceiling of a rebuild.
    /// </summary>
    public static async IAsyncEnumerable<IEvent> EventsInStreamOrderAsync(IDocumentStore store,
        [EnumeratorCancellation] CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var storage = ((IMartenSession)session).EventStorage();
        ISelector<IEvent> selector = storage;
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            $"select {string.Join(", ", storage.SelectFields().Select(f => "d." + f))} " +
            $"from {LedgerStore.Schema}.mt_events as d where d.is_archived = false order by d.stream_id, d.version",
            connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            yield return selector.Resolve(reader);
        }
    }

    /// <summary>
    /// Each stream folded into its view and copied with the columns Marten's upsert writes; mt_last_modified is left
    /// to the table's default, the transaction's timestamp, as Marten's upsert sets it.
    /// </summary>
    private static async Task<long> FoldAndCopyAsync(IDocumentStore store, NpgsqlConnection writer, ChannelReader<List<IEvent>> streams,
        Action<long> progress, CancellationToken ct)
    {
        var serializer = store.Options.Serializer();
        var dotnetType = typeof(Commitment).FullName!;
        long written = 0;
        await using var copy = await writer.BeginBinaryImportAsync(
            // FREEZE: the staging table was created in this transaction, so its rows can be written already frozen and
            // all-visible, sparing the first readers after a table swap from setting hint bits on every page.
            $"copy {Staging} (id, data, mt_version, mt_dotnet_type) from stdin (format binary, freeze)", ct);
        await foreach (var stream in streams.ReadAllAsync(ct))
        {
            var view = CommitmentReplay.AsRecorded(stream)!;
            await copy.StartRowAsync(ct);
            await copy.WriteAsync(view.Id, NpgsqlDbType.Uuid, ct);
            await copy.WriteAsync(serializer.ToJson(view), NpgsqlDbType.Jsonb, ct);
            await copy.WriteAsync(view.Version, NpgsqlDbType.Bigint, ct);
            await copy.WriteAsync(dotnetType, NpgsqlDbType.Varchar, ct);
            if (++written % 1_000 == 0) progress(written);
        }
        await copy.CompleteAsync(ct);
        progress(written);
        return written;
    }

    /// <summary>
    /// Deletes the rows that have no stream or differ from their rebuilt view, then inserts the rebuilt views that
    /// have no row left, with merge joins as in <see cref="CompareAsync"/>.
    /// </summary>
    private static async Task ReplaceChangedRowsAsync(NpgsqlConnection holder, CancellationToken ct)
    {
        await ExecuteAsync(holder, "set local enable_hashjoin = off; set local jit = off", ct);
        await ExecuteAsync(holder,
            $"delete from {Table} d where not exists (select 1 from {Staging} r where r.id = d.id and {SameRow})", ct);
        await ExecuteAsync(holder,
            $"insert into {Table} (id, data, mt_version, mt_dotnet_type) " +
            $"select r.id, r.data, r.mt_version, r.mt_dotnet_type from {Staging} r where not exists (select 1 from {Table} d where d.id = r.id)", ct);
    }

    /// <summary>Clean-up after a failure: the first failure is the one to report.</summary>
    private static async Task QuietlyAsync(Func<Task> cleanUp)
    {
        try
        {
            await cleanUp();
        }
        catch (Exception)
        {
            // Already failing; see the summary.
        }
    }

    private static async Task<long> CountAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteNonQueryAsync(ct);
    }
}

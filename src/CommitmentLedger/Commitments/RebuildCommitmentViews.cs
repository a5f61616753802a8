using System.Diagnostics;
using System.Threading.Channels;
using CommitmentLedger.Infrastructure;
using JasperFx.Events;
using Marten;
using Marten.Internal;
using Npgsql;
using Weasel.Storage;
using NpgsqlTypes;

namespace CommitmentLedger.Commitments;

public sealed record RebuildProgress(long Views, long Streams);

public sealed record RebuildResult(long Views, long Events, TimeSpan Elapsed)
{
    public double EventsPerSecond => Events / Math.Max(Elapsed.TotalSeconds, 1e-6);
}

/// <summary>
/// Recomputes every row of <c>mt_doc_commitment</c> from the events, as the inline <see cref="CommitmentProjection"/>
/// would have written it, in one transaction: the events are read in stream order on one connection, each stream is
/// folded with <see cref="CommitmentReplay.AsRecorded"/>, and the views are copied (binary COPY) on another, the two
/// overlapping through a bounded channel.
/// </summary>
/// <remarks>
/// Safe while the service runs. The writer first locks the table in EXCLUSIVE mode, which blocks every
/// insert/update/delete but not readers, and only then does the reader start its single SELECT, whose snapshot is
/// taken after the lock was granted. Every append of a commitment upserts its view in the same transaction as its
/// events (the projection is inline), so an append either committed before the lock (its events are in the
/// snapshot) or is still open and waits on the lock: it commits after the rebuild, its upsert overwriting the
/// rebuilt row of its stream with the newer version. No append is lost, none is seen half. Readers never see an
/// empty or half table: they read the old rows (MVCC) until the one commit swaps them all; the rows are deleted,
/// not truncated, so readers are never blocked either (TRUNCATE would hold them until the commit).
/// </remarks>
public static class CommitmentViewRebuild
{
    private const string Table = LedgerStore.Schema + ".mt_doc_commitment";

    public static async Task<RebuildResult> RunAsync(IDocumentStore store, IProgress<RebuildProgress>? progress,
        CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await using var writer = store.Storage.Database.CreateConnection();
        await writer.OpenAsync(ct);
        await using var transaction = await writer.BeginTransactionAsync(ct);
        await ExecuteAsync(writer, $"lock table {Table} in exclusive mode", ct);
        var streams = await CountStreamsAsync(writer, ct);
        progress?.Report(new RebuildProgress(0, streams));
        await ExecuteAsync(writer, $"delete from {Table}", ct);

        var views = Channel.CreateBounded<Commitment>(new BoundedChannelOptions(2_048)
        {
            SingleReader = true,
            SingleWriter = true,
        });
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var reading = Task.Run(() => ReadAndFoldAsync(store, views.Writer, stopReading.Token), ct);
        long written;
        try
        {
            written = await CopyAsync(store, writer, views.Reader, n => progress?.Report(new RebuildProgress(n, streams)), ct);
        }
        catch
        {
            await stopReading.CancelAsync();
            await Task.WhenAny(reading);
            throw;
        }
        var events = await reading;
        await transaction.CommitAsync(ct);
        clock.Stop();
        return new RebuildResult(written, events, clock.Elapsed);
    }

    /// <summary>Every event in stream order, each stream folded into its view as soon as its last event is read.</summary>
    private static async Task<long> ReadAndFoldAsync(IDocumentStore store, ChannelWriter<Commitment> views, CancellationToken ct)
    {
        try
        {
            await using var session = store.QuerySession();
            // Marten's own reader of event rows: the event type mapping, the serializer and the metadata columns,
            // exactly as FetchStreamAsync reads them.
            var storage = ((IMartenSession)session).EventStorage();
            ISelector<IEvent> events = storage;
            await using var connection = store.Storage.Database.CreateConnection();
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand(
                $"select {string.Join(", ", storage.SelectFields().Select(f => "d." + f))} " +
                $"from {LedgerStore.Schema}.mt_events as d where d.is_archived = false order by d.stream_id, d.version",
                connection);
            await using var reader = await command.ExecuteReaderAsync(ct);
            long count = 0;
            var stream = new List<IEvent>();
            while (await reader.ReadAsync(ct))
            {
                var e = events.Resolve(reader);
                count++;
                if (stream.Count > 0 && stream[0].StreamId != e.StreamId)
                {
                    await views.WriteAsync(CommitmentReplay.AsRecorded(stream)!, ct);
                    stream = [];
                }
                stream.Add(e);
            }
            if (stream.Count > 0)
            {
                await views.WriteAsync(CommitmentReplay.AsRecorded(stream)!, ct);
            }
            views.Complete();
            return count;
        }
        catch (Exception e)
        {
            views.TryComplete(e);
            throw;
        }
    }

    /// <summary>The columns Marten's upsert writes; mt_last_modified takes its default, the transaction's timestamp, as there.</summary>
    private static async Task<long> CopyAsync(IDocumentStore store, NpgsqlConnection writer, ChannelReader<Commitment> views,
        Action<long> progress, CancellationToken ct)
    {
        var serializer = store.Options.Serializer();
        var dotnetType = typeof(Commitment).FullName!;
        long written = 0;
        await using var copy = await writer.BeginBinaryImportAsync(
            $"copy {Table} (id, data, mt_version, mt_dotnet_type) from stdin (format binary)", ct);
        await foreach (var view in views.ReadAllAsync(ct))
        {
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

    private static async Task<long> CountStreamsAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"select count(*) from {LedgerStore.Schema}.mt_streams", connection);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }
}

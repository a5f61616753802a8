using System.Data.Common;
using CommitmentLedger.Commitments;
using CommitmentLedger.Integrity;
using CommitmentLedger.Portfolio;
using CommitmentLedger.Sources;
using CommitmentLedger.Subscriptions;
using JasperFx.Events.Projections;
using Marten;
using Marten.Schema;
using Npgsql;
using Weasel.Core;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace CommitmentLedger.Infrastructure;

/// <summary>The Marten configuration of the ledger, shared by the service and the benchmark's data generator.</summary>
public static class LedgerStore
{
    public const string Schema = "ledger";

    public static void Configure(StoreOptions opts, string connectionString)
    {
        opts.Connection(Tuned(connectionString));
        opts.DatabaseSchemaName = Schema;
        // One connection per session: a write's read and its transaction share it, one pool checkout per request
        // instead of two (measured +15-25% on progress updates, when Npgsql still reset each connection it handed out).
        opts.UseStickyConnectionLifetimes = true;
        opts.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);

        opts.Events.MetadataConfig.UserNameEnabled = true;
        opts.Events.MetadataConfig.CorrelationIdEnabled = true;
        opts.Events.MetadataConfig.CausationIdEnabled = true;
        opts.Events.TimeProvider = new MicrosecondClock(TimeProvider.System);

        opts.Projections.Add<CommitmentProjection>(ProjectionLifecycle.Inline);
        // The portfolio is read far less often than commitments are written: the daemon keeps it, off the write path.
        opts.Projections.Add<PortfolioProjection>(ProjectionLifecycle.Async);
        opts.Schema.For<PortfolioEntry>().Index(x => x.SourceKey!).Index(x => x.ParentId!);

        // Every list filter is an index lookup: parties and two-character terms through a GIN index on their array
        // (ListCommitments asks in the index's own expression), longer free text (q) through a trigram index on the
        // lower-cased titles. No GIN index over the whole document: building it took 3.5 s of a 10 s rebuild.
        opts.Schema.For<Commitment>()
            .UniqueIndex(UniqueIndexType.Computed, "uix_commitment_external_ref", x => x.ExternalRef!)
            .Index(x => x.Status)
            .Index(x => x.Kind)
            .Index(x => x.Area)
            .Index(x => x.ParentId!)
            .Index(x => x.DueOn!)
            .Index(x => x.SearchText, index =>
            {
                index.Name = "ix_commitment_search_text_trgm";
                index.Method = IndexMethod.gin;
                index.Mask = "? gin_trgm_ops";
            })
            .Index(x => x.Parties, index =>
            {
                index.Name = "ix_commitment_parties";
                index.Method = IndexMethod.gin;
                index.Mask = "? jsonb_path_ops";
            })
            .Index(x => x.SearchBigrams, index =>
            {
                index.Name = "ix_commitment_search_bigrams";
                index.Method = IndexMethod.gin;
                index.Mask = "? jsonb_path_ops";
            });
        opts.Storage.ExtendedSchemaObjects.Add(new Extension("pg_trgm"));

        // Registered source documents with their full text, keyed by their key.
        opts.Schema.For<RegisteredSource>();
        // POSTs made under an Idempotency-Key, with their responses (Infrastructure/Idempotency.cs).
        opts.Schema.For<IdempotentRequest>().Index(x => x.ReceivedAt);
        opts.Schema.For<WebhookSubscription>();
        opts.Schema.For<DeliveryAttempt>().Index(x => x.SubscriptionId);
        HashChainSchema.Register(opts, Schema);
    }

    /// <summary>
    /// Npgsql settings the ledger measured; each one given in the connection string wins.
    /// <list type="bullet">
    /// <item>Npgsql prepares the statements every request repeats (Marten's handful), so PostgreSQL stops parsing
    /// and planning them each time: -30% PostgreSQL CPU per progress update.</item>
    /// <item>No reset on close: a pooled connection is handed to the next request as it was left, without the seven
    /// reset statements (RESET ALL, DISCARD TEMP, pg_advisory_unlock_all(), …) that Npgsql otherwise sends first. The
    /// ledger leaves no session state behind: its settings are SET LOCAL, its one session advisory lock (sealing
    /// checkpoints) is unlocked in a finally, and Wolverine's and Marten's locks release their own. PostgreSQL's CPU
    /// per read by id 60–70 → 38–42 µs (+30 % reads per second), per progress update 632 → 458 µs (README).</item>
    /// </list>
    /// </summary>
    public static string Tuned(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!Mentions(connectionString, "Max Auto Prepare")) builder.MaxAutoPrepare = 50;
        if (!Mentions(connectionString, "Auto Prepare Min Usages")) builder.AutoPrepareMinUsages = 2;
        if (!Mentions(connectionString, "No Reset On Close")) builder.NoResetOnClose = true;
        return builder.ConnectionString;
    }

    /// <summary>Whether the connection string gives the setting, under any spelling Npgsql accepts (spaces, case).</summary>
    private static bool Mentions(string connectionString, string keyword)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        return given.Keys.Cast<string>().Any(key => Normal(key) == Normal(keyword));

        static string Normal(string key) => key.Replace(" ", "").ToLowerInvariant();
    }
}

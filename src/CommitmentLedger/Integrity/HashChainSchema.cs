using System.Data.Common;
using Marten;
using Weasel.Core;
using Weasel.Core.Migrations;
using Weasel.Postgresql;
using Weasel.Postgresql.Functions;
using Weasel.Postgresql.Tables;
using Weasel.Postgresql.Triggers;

namespace CommitmentLedger.Integrity;

/// <summary>
/// The tables and the trigger of the hash chain, applied with Marten's schema. The hash is computed by an
/// <c>AFTER INSERT</c> trigger on Marten's events table, so every way an event is written (HTTP, import,
/// bulk COPY, a future scheduled job) is chained in the same transaction, and no write path can forget it.
/// </summary>
public static class HashChainSchema
{
    public const string Hashes = "event_hashes";
    public const string Checkpoints = "checkpoints";
    public const string CheckpointHeads = "checkpoint_heads";

    private static DbObjectName Name(string schema, string name) => PostgresqlProvider.Instance.Parse(schema, name);

    public static void Register(StoreOptions opts, string schema)
    {
        var hashes = new Table(Name(schema, Hashes));
        hashes.AddColumn<Guid>("stream_id").AsPrimaryKey();
        hashes.AddColumn<long>("version").AsPrimaryKey();
        hashes.AddColumn<long>("seq_id").NotNull();
        hashes.AddColumn("previous_hash", "bytea").NotNull();
        hashes.AddColumn("hash", "bytea").NotNull();

        var checkpoints = new Table(Name(schema, Checkpoints));
        checkpoints.AddColumn<long>("sequence").AsPrimaryKey();
        checkpoints.AddColumn<string>("digest").NotNull();
        checkpoints.AddColumn<string>("previous_digest");
        checkpoints.AddColumn<DateTimeOffset>("sealed_at").NotNull();
        checkpoints.AddColumn<string>("sealed_by");
        checkpoints.AddColumn<int>("streams").NotNull();
        checkpoints.AddColumn<long>("events").NotNull();

        var heads = new Table(Name(schema, CheckpointHeads));
        heads.AddColumn<long>("sequence").AsPrimaryKey();
        heads.AddColumn<Guid>("stream_id").AsPrimaryKey();
        heads.AddColumn<long>("version").NotNull();
        heads.AddColumn("hash", "bytea").NotNull();

        // Written exactly as pg_get_functiondef renders them: Weasel compares that rendering, and a function
        // it sees as changed is dropped with CASCADE, which would take the trigger with it.
        var canonical = Function.ForSql($"""
            CREATE OR REPLACE FUNCTION {schema}.chain_canonical(stream_id uuid, version bigint, type text, data jsonb, user_name text)
             RETURNS text
             LANGUAGE sql
             IMMUTABLE
            AS $function$
              SELECT stream_id::text || E'\n' || version::text || E'\n' || type || E'\n'
                  || coalesce(data ->> 'effectiveOn', '') || E'\n' || coalesce(user_name, '') || E'\n' || data::text
            $function$;
            """);
        var chain = Function.ForSql($$"""
            CREATE OR REPLACE FUNCTION {{schema}}.chain_event()
             RETURNS trigger
             LANGUAGE plpgsql
            AS $function$
            DECLARE
              previous bytea;
            BEGIN
              IF NEW.version = 1 THEN
                previous := decode(repeat('00', 32), 'hex');
              ELSE
                SELECT h.hash INTO previous FROM {{schema}}.{{Hashes}} h
                 WHERE h.stream_id = NEW.stream_id AND h.version = NEW.version - 1;
                IF previous IS NULL THEN
                  RAISE EXCEPTION 'hash chain: stream % has no hash for version %', NEW.stream_id, NEW.version - 1;
                END IF;
              END IF;
              INSERT INTO {{schema}}.{{Hashes}} (stream_id, version, seq_id, previous_hash, hash)
              VALUES (NEW.stream_id, NEW.version, NEW.seq_id, previous,
                      sha256(previous || convert_to({{schema}}.chain_canonical(NEW.stream_id, NEW.version, NEW.type, NEW.data, NEW.user_name), 'UTF8')));
              RETURN NULL;
            END;
            $function$;
            """);
        var trigger = new ChainTrigger(Name(schema, "chain_events"), Name(schema, "mt_events"),
            $"{schema}.chain_event()")
        {
            Timing = TriggerTiming.After,
            Events = TriggerEvents.Insert,
            ForEachRow = true,
        };

        // A feature of its own, not ExtendedSchemaObjects: Marten applies custom features after its event
        // tables, and the trigger needs mt_events to exist on a fresh database.
        opts.Storage.Add(new Feature(opts, [hashes, checkpoints, heads, canonical, chain, trigger]));
    }

    private sealed class Feature(StoreOptions opts, ISchemaObject[] objects) : FeatureSchemaBase("HashChain", opts.Advanced.Migrator)
    {
        protected override IEnumerable<ISchemaObject> schemaObjects() => objects;
    }

    /// <summary>
    /// <c>pg_get_triggerdef</c> leaves out the function's schema when it is on the search path, which Weasel's
    /// comparison reads as a change, so the trigger was dropped and re-created at every start. Same trigger,
    /// same function: unchanged.
    /// </summary>
    private sealed class ChainTrigger(DbObjectName name, DbObjectName target, string functionCall)
        : Trigger(name, target, functionCall)
    {
        public override async Task<ISchemaObjectDelta> CreateDeltaAsync(DbDataReader reader, CancellationToken ct = default)
        {
            var definition = await reader.ReadAsync(ct) && !await reader.IsDBNullAsync(0, ct)
                ? await reader.GetFieldValueAsync<string>(0, ct)
                : null;
            if (definition is null) return new SchemaObjectDelta(this, SchemaPatchDifference.Create);
            var same = definition.Contains("AFTER INSERT ON", StringComparison.Ordinal)
                       && definition.Contains("FOR EACH ROW EXECUTE FUNCTION", StringComparison.Ordinal)
                       && definition.TrimEnd().EndsWith("chain_event()", StringComparison.Ordinal);
            return new SchemaObjectDelta(this, same ? SchemaPatchDifference.None : SchemaPatchDifference.Update);
        }
    }
}

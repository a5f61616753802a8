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
        var chainFunction = $$"""
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
                  RAISE EXCEPTION 'hash chain: stream % has no hash for version %', NEW.stream_id, NEW.version - 1
                    USING ERRCODE = 'data_corrupted';
                END IF;
              END IF;
              INSERT INTO {{schema}}.{{Hashes}} (stream_id, version, seq_id, previous_hash, hash)
              VALUES (NEW.stream_id, NEW.version, NEW.seq_id, previous,
                      sha256(previous || convert_to({{schema}}.chain_canonical(NEW.stream_id, NEW.version, NEW.type, NEW.data, NEW.user_name), 'UTF8')));
              RETURN NULL;
            END;
            $function$;
            """;
        var trigger = new ChainTrigger(Name(schema, "chain_events"), Name(schema, "mt_events"), $"{schema}.chain_event", chainFunction)
        {
            Timing = TriggerTiming.After,
            Events = TriggerEvents.Insert,
            ForEachRow = true,
        };

        // A feature of its own, not ExtendedSchemaObjects: Marten applies custom features after its event
        // tables, and the trigger needs mt_events to exist on a fresh database.
        opts.Storage.Add(new Feature(opts, [hashes, checkpoints, heads, canonical, trigger]));
    }

    private sealed class Feature(StoreOptions opts, ISchemaObject[] objects) : FeatureSchemaBase("HashChain", opts.Advanced.Migrator)
    {
        protected override IEnumerable<ISchemaObject> schemaObjects() => objects;
    }

    /// <summary>
    /// The trigger and its function as one schema object. Weasel replaces a changed function with
    /// <c>DROP FUNCTION … CASCADE</c>, which would drop the trigger too while the trigger's own delta, read
    /// before, said "unchanged": the chain would silently stop. Here a change to either re-creates both.
    /// </summary>
    private sealed class ChainTrigger(DbObjectName name, DbObjectName target, string functionName, string functionSql)
        : Trigger(name, target, functionName + "()")
    {
        public override void ConfigureQueryCommand(Weasel.Core.DbCommandBuilder builder)
        {
            builder.Append($"""

                SELECT (SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t
                          JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                         WHERE NOT t.tgisinternal AND t.tgname = '{Identifier.Name}' AND c.relname = '{Target.Name}'
                           AND n.nspname = '{Target.Schema}'),
                       (SELECT pg_get_functiondef(to_regproc('{functionName}')));
                """);
        }

        public override async Task<ISchemaObjectDelta> CreateDeltaAsync(DbDataReader reader, CancellationToken ct = default)
        {
            await reader.ReadAsync(ct);
            var trigger = await reader.IsDBNullAsync(0, ct) ? null : await reader.GetFieldValueAsync<string>(0, ct);
            var function = await reader.IsDBNullAsync(1, ct) ? null : await reader.GetFieldValueAsync<string>(1, ct);
            if (trigger is null || function is null) return new SchemaObjectDelta(this, SchemaPatchDifference.Create);
            // pg_get_triggerdef leaves out the function's schema when it is on the search path.
            var sameTrigger = trigger.Contains("AFTER INSERT ON", StringComparison.Ordinal)
                              && trigger.Contains("FOR EACH ROW EXECUTE FUNCTION", StringComparison.Ordinal)
                              && trigger.TrimEnd().EndsWith(functionName[(functionName.IndexOf('.') + 1)..] + "()", StringComparison.Ordinal);
            var sameFunction = Normalize(function) == Normalize(functionSql);
            return new SchemaObjectDelta(this, sameTrigger && sameFunction ? SchemaPatchDifference.None : SchemaPatchDifference.Update);
        }

        public override void WriteCreateStatement(Migrator migrator, TextWriter writer)
        {
            writer.WriteLine(functionSql);
            base.WriteCreateStatement(migrator, writer);
        }

        private static string Normalize(string sql) =>
            new string(sql.Where(c => !char.IsWhiteSpace(c)).ToArray()).TrimEnd(';');
    }
}

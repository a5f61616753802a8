using Npgsql;

namespace CommitmentLedger.Commitments;

/// <summary>
/// Puts a freshly loaded copy of a document table in the place of the table itself: the copy gets every index of
/// the table, built in one sorted pass each (on two connections at once), then, in the caller's transaction, the
/// table is dropped and the copy takes its name, its indexes' names and its primary key. At 100,000 views the ten
/// indexes are built in about 2 s, where writing every row through them took longer (CommitmentViewRebuild).
/// </summary>
/// <remarks>
/// Only for a plain table, one whose name, columns and indexes are all that the rest of the database knows of it:
/// no view, foreign key or SQL function depends on it, and it has no trigger, rule, row security, grant, storage
/// option, publication, inheritance or constraint other than its primary key. <see cref="PrepareAsync"/> returns null
/// for any other table, and the caller keeps its rows in place instead.
/// </remarks>
internal sealed class ViewTableSwap
{
    private readonly string _schema;
    private readonly string _table;
    private readonly string _staging;
    private readonly IReadOnlyList<TableIndex> _indexes;
    private readonly string? _comment;
    private readonly bool _logged;

    /// <param name="Weight">What building it costs, roughly: a GIN index takes many times a b-tree's time.</param>
    private sealed record TableIndex(string Name, string Definition, string? PrimaryKeyName, int Weight)
    {
        public string TemporaryName(string staging, int i) => $"{staging}_i{i}";
    }

    private ViewTableSwap(string schema, string table, string staging, IReadOnlyList<TableIndex> indexes, string? comment,
        bool logged)
    {
        _logged = logged;
        _schema = schema;
        _table = table;
        _staging = staging;
        _indexes = indexes;
        _comment = comment;
    }

    public int IndexCount => _indexes.Count;

    /// <summary>The table's indexes as definitions to build on the copy; null when the table is not plain.</summary>
    public static async Task<ViewTableSwap?> PrepareAsync(NpgsqlConnection connection, string schema, string table,
        string staging, CancellationToken ct)
    {
        var qualified = $"{schema}.{table}";
        await using (var plain = new NpgsqlCommand(PlainTableSql, connection))
        {
            plain.Parameters.AddWithValue(qualified);
            if (!(bool)(await plain.ExecuteScalarAsync(ct))!) return null;
        }

        // Schema-qualified definitions whatever the search path.
        await Execute(connection, "set local search_path = pg_catalog", ct);
        await using var command = new NpgsqlCommand(
            "select c.relname, pg_get_indexdef(i.indexrelid), k.conname, case when m.amname = 'btree' then 1 else 10 end " +
            "from pg_index i join pg_class c on c.oid = i.indexrelid join pg_am m on m.oid = c.relam " +
            "left join pg_constraint k on k.conindid = i.indexrelid and k.conrelid = i.indrelid " +
            "where i.indrelid = $1::regclass order by 4 desc, pg_relation_size(i.indexrelid) desc", connection);
        command.Parameters.AddWithValue(qualified);
        var indexes = new List<TableIndex>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                indexes.Add(new TableIndex(reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                    reader.GetInt32(3)));
            }
        }
        // The caller's transaction goes on after this: back to its own search path.
        await Execute(connection, "reset search_path", ct);
        var on = $" ON {qualified} USING ";
        if (indexes.Any(x => x.Definition.IndexOf(on, StringComparison.Ordinal) < 0)) return null;

        await using var described = new NpgsqlCommand(
            "select obj_description(oid, 'pg_class'), relpersistence = 'p' from pg_class where oid = $1::regclass", connection);
        described.Parameters.AddWithValue(qualified);
        await using var description = await described.ExecuteReaderAsync(ct);
        await description.ReadAsync(ct);
        return new ViewTableSwap(schema, table, staging, indexes, description.IsDBNull(0) ? null : description.GetString(0),
            description.GetBoolean(1));
    }

    /// <summary>The (unlogged) staging table made logged like the table, before any index is built on it.</summary>
    public async Task MatchPersistenceAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        if (_logged) await Execute(connection, $"alter table {_schema}.{_staging} set logged", ct);
    }

    /// <summary>Every index of the table, on the copy under temporary names, two at a time.</summary>
    public async Task BuildIndexesAsync(Func<CancellationToken, Task<NpgsqlConnection>> connect, CancellationToken ct)
    {
        // Heaviest first onto the less loaded of two connections: the GIN indexes take most of the time.
        var queues = new[] { new List<string>(), new List<string>() };
        var loads = new int[2];
        for (var i = 0; i < _indexes.Count; i++)
        {
            var lighter = loads[0] <= loads[1] ? 0 : 1;
            queues[lighter].Add(CreateOnStaging(_indexes[i], i));
            loads[lighter] += _indexes[i].Weight;
        }
        await Task.WhenAll(queues.Where(q => q.Count > 0).Select(async statements =>
        {
            await using var connection = await connect(ct);
            await Execute(connection, "set maintenance_work_mem = '256MB'", ct);
            foreach (var statement in statements) await Execute(connection, statement, ct);
        }));
    }

    /// <summary>
    /// In the caller's transaction, which holds a lock on the table: the table goes, the copy takes its name, and
    /// each index and the primary key theirs. Readers wait from the drop to the commit, a few catalog updates.
    /// </summary>
    public async Task SwapAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await Execute(connection, $"drop table {_schema}.{_table}", ct);
        await Execute(connection, $"alter table {_schema}.{_staging} rename to {_table}", ct);
        for (var i = 0; i < _indexes.Count; i++)
        {
            var index = _indexes[i];
            var temporary = $"{_schema}.{index.TemporaryName(_staging, i)}";
            await Execute(connection, index.PrimaryKeyName is { } key
                ? $"alter table {_schema}.{_table} add constraint {Quote(key)} primary key using index {index.TemporaryName(_staging, i)}"
                : $"alter index {temporary} rename to {Quote(index.Name)}", ct);
        }
        if (_comment is not null)
        {
            await using var comment = new NpgsqlCommand(
                $"comment on table {_schema}.{_table} is {QuoteLiteral(_comment)}", connection);
            await comment.ExecuteNonQueryAsync(ct);
        }
    }

    private string CreateOnStaging(TableIndex index, int i)
    {
        var on = $" ON {_schema}.{_table} USING ";
        var at = index.Definition.IndexOf(on, StringComparison.Ordinal);
        var unique = index.Definition.StartsWith("CREATE UNIQUE INDEX ", StringComparison.Ordinal) ? "unique " : "";
        return $"create {unique}index {index.TemporaryName(_staging, i)} on {_schema}.{_staging} using {index.Definition[(at + on.Length)..]}";
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";

    private static string QuoteLiteral(string text) => "'" + text.Replace("'", "''") + "'";

    private static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>True when nothing but the table's own indexes, primary key, defaults and row type hangs on it.</summary>
    private const string PlainTableSql = """
        select c.relkind = 'r' and c.relacl is null and c.reloptions is null and not c.relrowsecurity
           and c.relowner = (select oid from pg_roles where rolname = current_user)
           and not exists (select 1 from pg_trigger t where t.tgrelid = c.oid)
           and not exists (select 1 from pg_inherits h where h.inhrelid = c.oid or h.inhparent = c.oid)
           and not exists (select 1 from pg_publication_rel p where p.prrelid = c.oid)
           and not exists (select 1 from pg_constraint k where (k.conrelid = c.oid and k.contype not in ('p', 'n'))
                                                          or k.confrelid = c.oid)
           and not exists (select 1 from pg_depend d where d.refclassid = 'pg_class'::regclass and d.refobjid = c.oid
                                                       and d.deptype = 'n')
           and not exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
                                                          and (a.attstattarget > 0 or a.attoptions is not null or a.attacl is not null))
        from pg_class c where c.oid = $1::regclass
        """;
}

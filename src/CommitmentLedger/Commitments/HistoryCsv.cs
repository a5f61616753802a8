using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using CommitmentLedger.Infrastructure;

namespace CommitmentLedger.Commitments;

/// <summary>
/// The history as CSV (RFC 4180: a header row, comma-separated, fields quoted when they hold a comma, a quote or a
/// line break): one row per entry, the same columns as the JSON, <c>changes</c> written <c>field: from → to</c> and
/// <c>data</c> as JSON.
/// </summary>
public static class HistoryCsv
{
    public const string ContentType = "text/csv";

    private static readonly string[] Columns =
    [
        "version", "sequence", "type", "recordedAt", "effectiveOn", "recordedBy", "correlationId", "causationId",
        "retractedInVersion", "retractedAt", "retractedBy", "retractionReason", "changes", "data",
    ];

    // Readable text in a spreadsheet: Japanese stays Japanese instead of \u escapes. CSV is not HTML.
    private static readonly JsonSerializerOptions Json = new(JsonSetup.Api) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static IResult Result(IReadOnlyList<HistoryEntry> entries, Guid id) =>
        Results.File(Encoding.UTF8.GetBytes(Write(entries)), ContentType + "; charset=utf-8", $"commitment-{id}-history.csv");

    public static string Write(IReadOnlyList<HistoryEntry> entries)
    {
        var csv = new StringBuilder();
        Row(csv, Columns);
        foreach (var e in entries)
        {
            Row(csv,
            [
                e.Version.ToString(CultureInfo.InvariantCulture),
                e.Sequence.ToString(CultureInfo.InvariantCulture),
                e.Type,
                Timestamp(e.RecordedAt),
                e.EffectiveOn?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                e.RecordedBy,
                e.CorrelationId,
                e.CausationId,
                e.Retracted?.Version.ToString(CultureInfo.InvariantCulture),
                e.Retracted is { } r ? Timestamp(r.RecordedAt) : null,
                e.Retracted?.RecordedBy,
                e.Retracted?.Reason,
                string.Join("; ", e.Changes.Select(c => $"{c.Field}: {Value(c.From)} → {Value(c.To)}")),
                JsonSerializer.Serialize(e.Data, e.Data.GetType(), Json),
            ]);
        }
        return csv.ToString();
    }

    private static string Value(JsonNode? node) => node?.ToJsonString(Json) ?? "null";

    private static string Timestamp(DateTimeOffset t) =>
        t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static void Row(StringBuilder csv, IEnumerable<string?> fields)
    {
        csv.AppendJoin(',', fields.Select(Field));
        csv.Append("\r\n");
    }

    private static string Field(string? value) =>
        value is null ? ""
        : value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{value.Replace("\"", "\"\"")}\""
        : value;
}

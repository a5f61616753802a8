using System.Text.Json;
using BenchmarkDotNet.Attributes;
using CommitmentLedger.Commitments;
using CommitmentLedger.Infrastructure;
using CommitmentLedger.Security;
using JasperFx.Events;
using Marten;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CommitmentLedger.Benchmarks;

/// <summary>
/// Micro-benchmarks (BenchmarkDotNet, <c>--micro</c>) of the CPU the service spends per request outside PostgreSQL:
/// what bounds P1 and P2 on a machine whose two cores the load, the service and the database share.
/// </summary>
[MemoryDiagnoser]
public class ServiceCosts
{
    private const int EventsPerCommitment = 10;
    private IReadOnlyList<IEvent> _stream = null!;
    private Commitment _state = null!;
    private CommitmentView _view = null!;
    private string _storedJson = "";
    private Marten.ISerializer _marten = null!;
    private readonly JsonWebTokenHandler _tokens = new();
    private TokenValidationParameters _validation = null!;
    private string _token = "";
    private readonly DateOnly _today = new(2026, 11, 26);

    [GlobalSetup]
    public void Setup()
    {
        var id = Guid.CreateVersion7();
        var timestamp = new DateTimeOffset(2022, 1, 1, 9, 0, 0, TimeSpan.Zero);
        _stream = DataGenerator.EventsOf(7, EventsPerCommitment).Select((data, i) =>
        {
            var e = EventOf(data);
            e.StreamId = id;
            e.Version = i + 1;
            e.Sequence = i + 1;
            e.Timestamp = timestamp.AddHours(i);
            return e;
        }).ToList();
        _state = CommitmentReplay.AsRecorded(_stream)!;
        _view = CommitmentView.Of(_state, _today);
        using var store = DocumentStore.For(o => LedgerStore.Configure(o, "Host=127.0.0.1"));
        _marten = store.Options.Serializer();
        _storedJson = _marten.ToJson(_state);
        var settings = new AuthSettings { SigningKey = ServiceProcess.SigningKey };
        _validation = LedgerAuth.ValidationParameters(settings);
        _token = DevTokens.Mint(settings, "benchmark", LedgerAuth.Admin, TimeSpan.FromHours(1));
    }

    private static IEvent EventOf(object data) =>
        (IEvent)Activator.CreateInstance(typeof(Event<>).MakeGenericType(data.GetType()), data)!;

    [Benchmark(Description = "fold a 10-event stream into the view (CommitmentReplay)")]
    public Commitment? FoldStream() => CommitmentReplay.AsRecorded(_stream);

    [Benchmark(Description = "decide a progress report (pure)")]
    public Decision DecideProgress() => ReportProgressEndpoint.Decide(_state, new ReportProgress("benchmark", null, []), _today);

    [Benchmark(Description = "read the stored view (Marten's serializer)")]
    public Commitment ReadStoredView() => _marten.FromJson<Commitment>(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(_storedJson)));

    [Benchmark(Description = "write the stored view (Marten's serializer)")]
    public string WriteStoredView() => _marten.ToJson(_state);

    [Benchmark(Description = "answer: the view as API JSON")]
    public string WriteApiView() => JsonSerializer.Serialize(_view, JsonSetup.Api);

    [Benchmark(Description = "validate a bearer token (HS256 JWT)")]
    public async Task<bool> ValidateToken() => (await _tokens.ValidateTokenAsync(_token, _validation)).IsValid;
}

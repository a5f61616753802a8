using CommitmentLedger.Commitments;

namespace CommitmentLedger.Imports;

/// <summary>The source document an import comes from; every commitment in the file cites it.</summary>
public sealed record ImportSource
{
    public string? Key { get; init; }
    public string? Title { get; init; }
    public string? Publisher { get; init; }
    public string? PublishedOn { get; init; }
    public string? Url { get; init; }
    public string? Language { get; init; }
    /// <summary>The full text: given, the source is registered (as POST /api/sources) and every quote must occur in it.</summary>
    public string? Text { get; init; }
}

/// <summary>A commitment of the file: the create fields plus its ref, its parent's ref, and where it stands in the source.</summary>
public sealed record ImportEntry : NewCommitment
{
    public string? Ref { get; init; }
    public string? ParentRef { get; init; }
    public string? Quote { get; init; }
    public string? Section { get; init; }
}

/// <summary>The body of <c>POST /api/imports</c> and the file read by the <c>import</c> command.</summary>
public sealed record ImportFile
{
    public ImportSource? Source { get; init; }
    public ImportEntry[]? Commitments { get; init; }
}

public sealed record ImportedCommitment(string Ref, Guid Id, string Outcome);

/// <summary><c>Source</c>: "created" or "unchanged" when the commitments cite the registered source, else null.</summary>
public sealed record ImportResult(int Created, int Unchanged, IReadOnlyList<ImportedCommitment> Commitments, string? Source = null);

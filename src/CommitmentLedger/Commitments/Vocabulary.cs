namespace CommitmentLedger.Commitments;

// JSON names are the lower-case words of DESIGN.md §2 (snake_case: in_progress); see JsonSetup.
public enum CommitmentKind { Instrument, Action, Position }

public enum Strength { Signed, Agreed, Reaffirmed, Pledged, Stated, Requested }

public enum LifecycleStatus { Declared, InProgress, Completed, Suspended, Cancelled, Superseded }

public enum TranslatableField { Title, Quote }

public enum Translator { Human, Machine }

/// <summary>The completion scale of the Open Government Partnership's Independent Reporting Mechanism.</summary>
public enum Completion { NotStarted, Limited, Substantial, Complete }

public static class Vocabulary
{
    public static string Word<TEnum>(TEnum value) where TEnum : struct, Enum =>
        System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    public static string Words<TEnum>() where TEnum : struct, Enum =>
        string.Join(", ", Enum.GetValues<TEnum>().Select(Word));

    public static bool TryParse<TEnum>(string? text, out TEnum value) where TEnum : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<TEnum>())
        {
            if (Word(candidate) == text)
            {
                value = candidate;
                return true;
            }
        }
        value = default;
        return false;
    }
}

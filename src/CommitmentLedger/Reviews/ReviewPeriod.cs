using System.Text.RegularExpressions;

namespace CommitmentLedger.Reviews;

/// <summary>
/// An ISO 8601 duration the ledger reviews by (<c>P6M</c>, <c>P1Y</c>, <c>P2W</c>, <c>P10D</c>, <c>P1DT24H</c>):
/// whole days at least one day long, since reviews fall on dates. Months and years are calendar months and years.
/// </summary>
public sealed partial record ReviewPeriod(string Text, int Years, int Months, int Days)
{
    [GeneratedRegex(@"^P(?!$)(?:(\d{1,4})Y)?(?:(\d{1,4})M)?(?:(\d{1,4})W)?(?:(\d{1,5})D)?(?:T(?=\d)(?:(\d{1,6})H)?(?:(\d{1,8})M)?(?:(\d{1,9})S)?)?\z")]
    private static partial Regex Iso8601();

    public const string Rule = "an ISO 8601 duration such as P6M, P1Y, P2W or P30D";

    public static bool TryParse(string? text, out ReviewPeriod? period, out string? error)
    {
        period = null;
        error = null;
        var match = text is null ? null : Iso8601().Match(text);
        if (match is not { Success: true })
        {
            error = $"must be {Rule}";
            return false;
        }
        int Part(int i) => match.Groups[i].Success ? int.Parse(match.Groups[i].Value) : 0;
        long seconds = Part(5) * 3600L + Part(6) * 60L + Part(7);
        var days = Part(3) * 7 + Part(4) + (int)(seconds / 86_400);
        if (Part(1) == 0 && Part(2) == 0 && days == 0)
        {
            error = "must be at least one day (P1D)";
            return false;
        }
        if (Part(1) > 100 || Part(2) > 1200 || days > 36_500)
        {
            error = "must be at most 100 years";
            return false;
        }
        if (seconds % 86_400 != 0)
        {
            error = "must be whole days: reviews fall on dates";
            return false;
        }
        period = new ReviewPeriod(text!, Part(1), Part(2), days);
        return true;
    }

    public static ReviewPeriod Parse(string text) =>
        TryParse(text, out var period, out var error) ? period! : throw new FormatException($"'{text}' {error}");

    public DateOnly After(DateOnly date) => date.AddYears(Years).AddMonths(Months).AddDays(Days);
}

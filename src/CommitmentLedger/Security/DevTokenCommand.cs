using JasperFx.CommandLine;

namespace CommitmentLedger.Security;

public class DevTokenInput : NetCoreInput
{
    [Description("The user name recorded on every event written with the token")]
    public string NameFlag { get; set; } = "developer";

    [Description("reader, recorder, assessor or admin (each includes the ones before it)")]
    public string RoleFlag { get; set; } = LedgerAuth.Reader;

    [Description("Hours until the token expires (default 12)")]
    public double HoursFlag { get; set; } = 12;
}

[Description("Print a bearer token signed with Auth:SigningKey, else the development key", Name = "dev-token")]
public class DevTokenCommand : JasperFxAsyncCommand<DevTokenInput>
{
    public override Task<bool> Execute(DevTokenInput input)
    {
        if (!LedgerAuth.Roles.Contains(input.RoleFlag))
        {
            Console.Error.WriteLine($"dev-token: unknown role '{input.RoleFlag}'; one of {string.Join(", ", LedgerAuth.Roles)}");
            return Task.FromResult(false);
        }
        if (string.IsNullOrWhiteSpace(input.NameFlag) || input.HoursFlag is <= 0 or > 24 * 366)
        {
            Console.Error.WriteLine("dev-token: --name must not be empty and --hours must lie between 0 and 8784");
            return Task.FromResult(false);
        }
        using var host = input.BuildHost();
        var settings = host.Services.GetRequiredService<AuthSettings>();
        if (settings.SigningKey is null)
        {
            // The service verifies with an authority's keys: the token is good only for a Development instance.
            Console.Error.WriteLine("dev-token: no Auth:SigningKey configured; signing with the development key");
            settings = new AuthSettings { SigningKey = LedgerAuth.DevelopmentSigningKey, Issuer = settings.Issuer, Audience = settings.Audience };
        }
        Console.WriteLine(DevTokens.Mint(settings, input.NameFlag.Trim(), input.RoleFlag, TimeSpan.FromHours(input.HoursFlag)));
        return Task.FromResult(true);
    }
}

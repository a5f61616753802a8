using CommitmentLedger.Infrastructure;
using Npgsql;

namespace CommitmentLedger.Tests.Infrastructure;

public class ConnectionSettingsTests
{
    [Fact]
    public void the_ledger_prepares_repeated_statements_and_skips_the_reset_of_pooled_connections()
    {
        var tuned = new NpgsqlConnectionStringBuilder(LedgerStore.Tuned("Host=db;Username=ledger"));

        tuned.NoResetOnClose.ShouldBeTrue();
        tuned.MaxAutoPrepare.ShouldBe(50);
        tuned.AutoPrepareMinUsages.ShouldBe(2);
        tuned.Host.ShouldBe("db");
    }

    [Theory]
    [InlineData("Host=db;No Reset On Close=false")]
    [InlineData("Host=db;noresetonclose=False")]
    [InlineData("Host=db;Password=NoResetOnClose;No Reset On Close=false")]
    public void an_operator_who_sets_the_reset_gets_it(string connectionString)
    {
        new NpgsqlConnectionStringBuilder(LedgerStore.Tuned(connectionString)).NoResetOnClose.ShouldBeFalse();
    }

    [Fact]
    public void a_password_that_spells_a_setting_does_not_count_as_the_setting()
    {
        new NpgsqlConnectionStringBuilder(LedgerStore.Tuned("Host=db;Password=NoResetOnClose")).NoResetOnClose.ShouldBeTrue();
    }

    [Fact]
    public void an_operator_who_turns_statement_preparation_off_gets_it_off()
    {
        var tuned = new NpgsqlConnectionStringBuilder(LedgerStore.Tuned("Host=db;Max Auto Prepare=0"));

        tuned.MaxAutoPrepare.ShouldBe(0);
        tuned.NoResetOnClose.ShouldBeTrue();
    }

    [Fact]
    public void an_operator_who_sets_only_how_often_a_statement_repeats_before_it_is_prepared_keeps_preparation_on()
    {
        var tuned = new NpgsqlConnectionStringBuilder(LedgerStore.Tuned("Host=db;Auto Prepare Min Usages=5"));

        tuned.AutoPrepareMinUsages.ShouldBe(5);
        tuned.MaxAutoPrepare.ShouldBe(50);
    }
}

using Npgsql;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Services.Tests;

/// <summary>What a caller is told when PostgreSQL refuses: retry later only when a retry can succeed.</summary>
public sealed class ProblemForTests
{
    [Theory]
    [InlineData("53300", 503)] // too many connections
    [InlineData("57P03", 503)] // the server is starting
    [InlineData("08006", 503)] // the connection broke
    [InlineData("40P01", 503)] // deadlock: the retry runs alone
    [InlineData("42804", 500)] // a statement of ours does not fit the table
    [InlineData("42P01", 500)] // a table that is not there
    [InlineData("22P02", 500)] // a value we sent in the wrong form
    public void PostgreSQL_errors_are_503_only_when_transient(string sqlState, int status)
    {
        var error = new PostgresException("refused", "ERROR", "ERROR", sqlState);
        Assert.Equal(status, Extensions.ProblemFor(error).Status);
        // Wrapped, as Marten throws them, too.
        Assert.Equal(status, Extensions.ProblemFor(new InvalidOperationException("wrapped", error)).Status);
    }

    [Fact]
    public void A_database_that_does_not_answer_is_503() =>
        Assert.Equal(503, Extensions.ProblemFor(new NpgsqlException("no answer", new TimeoutException())).Status);
}

using MdrMesh.ServiceDefaults;
using Npgsql;

namespace MdrMesh.Services.Tests;

public class ConnectionStringTests
{
    [Fact]
    public void A_service_prepares_its_repeated_statements_unless_the_connection_string_says_otherwise()
    {
        var used = new NpgsqlConnectionStringBuilder(Extensions.ServiceConnectionString("Host=db;Username=u;Maximum Pool Size=40"));
        Assert.Equal((Extensions.AutoPreparedStatements, true, 40), (used.MaxAutoPrepare, used.NoResetOnClose, used.MaxPoolSize));

        // Behind a pooler that cannot keep prepared statements the operator turns them off, in any spelling Npgsql reads.
        Assert.Equal(0, new NpgsqlConnectionStringBuilder(Extensions.ServiceConnectionString("Host=db;Max Auto Prepare=0")).MaxAutoPrepare);
        Assert.Equal(0, new NpgsqlConnectionStringBuilder(Extensions.ServiceConnectionString("Host=db;max auto prepare=0")).MaxAutoPrepare);
        Assert.Equal(8, new NpgsqlConnectionStringBuilder(Extensions.ServiceConnectionString("Host=db;MaxAutoPrepare=8")).MaxAutoPrepare);
    }
}

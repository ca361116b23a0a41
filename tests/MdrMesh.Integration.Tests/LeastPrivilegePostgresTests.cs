using System.Runtime.CompilerServices;
using Marten;
using Npgsql;

namespace MdrMesh.Integration.Tests;

public sealed record PrivilegeNote(Guid Id, string Text);

public sealed record PrivilegeNoted(string Text);

/// <summary>Files of the repository this test was compiled from: the deploy scripts are tested as shipped.</summary>
internal static class Repository
{
    public static string File(string relative, [CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", "..", relative));
}

/// <summary>
/// deploy/postgres/roles.sql, applied as shipped to a database of its own: each service's role
/// creates its Marten objects and works in its own schema, and is refused every other schema.
/// </summary>
[Collection(InfrastructureCollection.Name)]
public sealed class LeastPrivilegePostgresTests(Infrastructure infrastructure) : IAsyncLifetime
{
    private static readonly (string Role, string Schema)[] Services =
    [
        ("mdrmesh_incidents", "incidents"), ("mdrmesh_approvals", "approvals"), ("mdrmesh_executor", "executor"), ("mdrmesh_gateway", "access"),
    ];

    // Roles belong to the whole server, so one password per run serves every role of this class.
    private readonly string _password = Convert.ToHexString(Guid.NewGuid().ToByteArray());
    private string _admin = "";
    private readonly Guid _oldStream = Guid.NewGuid();

    public async Task InitializeAsync()
    {
        _admin = await infrastructure.CreateDatabaseAsync("privilege");
        // An installation from before the roles: the superuser made the incidents schema and wrote to it.
        await using (var old = Store(_admin, "incidents"))
        {
            await old.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
            await using var session = old.LightweightSession("tenant-a");
            session.Events.StartStream(_oldStream, new PrivilegeNoted("written before the roles existed"));
            await session.SaveChangesAsync();
        }
        // Twice, as on every start: the second run must find its work done.
        await ExecuteAsAdminAsync(await File.ReadAllTextAsync(Repository.File("deploy/postgres/roles.sql")));
        await ExecuteAsAdminAsync(await File.ReadAllTextAsync(Repository.File("deploy/postgres/roles.sql")));
        foreach (var (role, _) in Services)
            await ExecuteAsAdminAsync($"ALTER ROLE {role} PASSWORD '{_password}'");
    }

    public async Task DisposeAsync() => await infrastructure.DropDatabaseAsync(_admin);

    private async Task ExecuteAsAdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private string As(string role) =>
        new NpgsqlConnectionStringBuilder(_admin) { Username = role, Password = _password }.ConnectionString;

    /// <summary>A Marten store set up like the services', with this test's note document and event.</summary>
    private static DocumentStore Store(string connectionString, string schema) => ServiceStore.For(connectionString, schema, options =>
    {
        options.Schema.For<PrivilegeNote>();
        options.Events.AddEventType<PrivilegeNoted>();
    });

    private async Task WorkInOwnSchemaAsync(string role, string schema)
    {
        await using var store = Store(As(role), schema);
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        var stream = Guid.NewGuid();
        var note = new PrivilegeNote(Guid.NewGuid(), $"{role} was here");
        await using (var session = store.LightweightSession("tenant-a"))
        {
            session.Store(note);
            session.Events.StartStream(stream, new PrivilegeNoted(note.Text));
            await session.SaveChangesAsync();
        }
        await using var query = store.QuerySession("tenant-a");
        Assert.Equal(note, await query.LoadAsync<PrivilegeNote>(note.Id));
        Assert.Equal(new PrivilegeNoted(note.Text), Assert.Single(await query.Events.FetchStreamAsync(stream)).Data);
    }

    [Fact]
    public async Task Each_service_role_creates_its_Marten_objects_and_reads_and_writes_its_own_schema()
    {
        foreach (var (role, schema) in Services) await WorkInOwnSchemaAsync(role, schema);
    }

    [Fact]
    public async Task A_schema_the_superuser_created_passes_to_its_role_with_its_data()
    {
        await WorkInOwnSchemaAsync("mdrmesh_incidents", "incidents");

        await using var store = Store(As("mdrmesh_incidents"), "incidents");
        await using (var session = store.LightweightSession("tenant-a"))
        {
            session.Events.Append(_oldStream, new PrivilegeNoted("written by the role"));
            await session.SaveChangesAsync();
        }
        await using var query = store.QuerySession("tenant-a");
        Assert.Equal(["written before the roles existed", "written by the role"],
            (await query.Events.FetchStreamAsync(_oldStream)).Select(e => ((PrivilegeNoted)e.Data).Text));
    }

    [Fact]
    public async Task Each_service_role_is_refused_every_other_schema()
    {
        foreach (var (role, schema) in Services) await WorkInOwnSchemaAsync(role, schema);

        foreach (var (role, _) in Services)
        {
            await using var connection = new NpgsqlConnection(As(role));
            await connection.OpenAsync();
            foreach (var (_, other) in Services.Where(s => s.Role != role))
            {
                await using var read = new NpgsqlCommand($"select * from {other}.mt_events", connection);
                var refused = await Assert.ThrowsAsync<PostgresException>(() => read.ExecuteReaderAsync());
                Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
            }
            // Nor may it make schemas of its own, or take a service's schema over by dropping it.
            await using var create = new NpgsqlCommand("create schema if not exists elsewhere", connection);
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, (await Assert.ThrowsAsync<PostgresException>(() => create.ExecuteNonQueryAsync())).SqlState);
            var foreign = Services.First(s => s.Role != role).Schema;
            await using var drop = new NpgsqlCommand($"drop schema {foreign} cascade", connection);
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, (await Assert.ThrowsAsync<PostgresException>(() => drop.ExecuteNonQueryAsync())).SqlState);
        }
    }
}

using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;
using Npgsql;
using Testcontainers.PostgreSql;
using Testcontainers.RabbitMq;

namespace MdrMesh.Testing;

/// <summary>
/// Real PostgreSQL and RabbitMQ for tests, shared by the test classes of a run (as an xunit
/// collection fixture); each class takes its own database and its own vhost from it.
///
/// By default two containers are started with Testcontainers from the official images.
/// Environment variables change that:
/// <list type="bullet">
/// <item><c>MDRMESH_POSTGRES_IMAGE</c>, <c>MDRMESH_RABBITMQ_IMAGE</c>: other images (deploy/test.sh
/// points them at the images deploy/images/build.sh makes from Debian's packages).</item>
/// <item><c>MDRMESH_TEST_POSTGRES</c>: an ADO.NET connection string of a server of your own (a role that
/// may create databases); no PostgreSQL container is started.</item>
/// <item><c>MDRMESH_TEST_RABBITMQ</c>: <c>amqp://user:password@host:5672</c> of a broker of your own, with
/// <c>MDRMESH_TEST_RABBITMQ_MANAGEMENT</c> (default <c>http://host:15672</c>) for creating vhosts;
/// no RabbitMQ container is started.</item>
/// </list>
/// </summary>
public sealed class Infrastructure : IAsyncLifetime
{
    public const string DefaultPostgresImage = "postgres:15";
    public const string DefaultRabbitMqImage = "rabbitmq:3.10-management";
    private const ushort ManagementPort = 15672;

    private PostgreSqlContainer? _postgres;
    private RabbitMqContainer? _rabbitMq;
    private HttpClient _management = null!;

    /// <summary>Connection string of a role that may create databases.</summary>
    public string PostgresAdminConnectionString { get; private set; } = "";

    public RabbitMqServer RabbitMq { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var postgres = Environment.GetEnvironmentVariable("MDRMESH_TEST_POSTGRES");
        var rabbitMq = Environment.GetEnvironmentVariable("MDRMESH_TEST_RABBITMQ");

        if (string.IsNullOrEmpty(postgres))
            _postgres = new PostgreSqlBuilder(Image("MDRMESH_POSTGRES_IMAGE", DefaultPostgresImage))
                .WithLabel("mdrmesh.test", "true")
                .Build();
        if (string.IsNullOrEmpty(rabbitMq))
            _rabbitMq = new RabbitMqBuilder(Image("MDRMESH_RABBITMQ_IMAGE", DefaultRabbitMqImage))
                .WithPortBinding(ManagementPort, true)
                .WithLabel("mdrmesh.test", "true")
                .Build();

        await Task.WhenAll(
            _postgres?.StartAsync() ?? Task.CompletedTask,
            _rabbitMq?.StartAsync() ?? Task.CompletedTask);

        PostgresAdminConnectionString = _postgres?.GetConnectionString() ?? postgres!;

        var amqp = new Uri(_rabbitMq?.GetConnectionString() ?? rabbitMq!);
        var credentials = Uri.UnescapeDataString(amqp.UserInfo).Split(':', 2);
        var management = _rabbitMq is null
            ? new Uri(Environment.GetEnvironmentVariable("MDRMESH_TEST_RABBITMQ_MANAGEMENT") ?? $"http://{amqp.Host}:{ManagementPort}")
            : new Uri($"http://{_rabbitMq.Hostname}:{_rabbitMq.GetMappedPublicPort(ManagementPort)}");
        RabbitMq = new RabbitMqServer(amqp.Host, (ushort)amqp.Port, credentials[0], credentials[1], management);

        _management = new HttpClient { BaseAddress = management };
        _management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{RabbitMq.Username}:{RabbitMq.Password}")));
    }

    public async Task DisposeAsync()
    {
        _management?.Dispose();
        // Ryuk (Testcontainers' reaper) cannot be pulled where no registry is reachable, so the
        // containers are removed here rather than left to it.
        if (_postgres is not null) await _postgres.DisposeAsync();
        if (_rabbitMq is not null) await _rabbitMq.DisposeAsync();
    }

    /// <summary>Creates an empty database for one test class and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = UniqueName(prefix);
        await using (var connection = new NpgsqlConnection(PostgresAdminConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(PostgresAdminConnectionString) { Database = name }.ConnectionString;
    }

    public async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(PostgresAdminConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    /// <summary>Creates a vhost for one test class, with full rights for the broker's user.</summary>
    public async Task<RabbitMqVhost> CreateVhostAsync(string prefix)
    {
        var name = UniqueName(prefix);
        var escaped = Uri.EscapeDataString(name);
        (await _management.PutAsync($"api/vhosts/{escaped}", null)).EnsureSuccessStatusCode();
        (await _management.PutAsJsonAsync($"api/permissions/{escaped}/{Uri.EscapeDataString(RabbitMq.Username)}",
            new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
        return new RabbitMqVhost(RabbitMq, name);
    }

    /// <summary>How many messages wait in a queue of a vhost (0 when the queue does not exist yet).</summary>
    public async Task<long> QueueDepthAsync(RabbitMqVhost vhost, string queue)
    {
        using var response = await _management.GetAsync($"api/queues/{Uri.EscapeDataString(vhost.Name)}/{Uri.EscapeDataString(queue)}");
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound) return 0;
        response.EnsureSuccessStatusCode();
        var json = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        return json.TryGetProperty("messages", out var messages) ? messages.GetInt64() : 0;
    }

    /// <summary>Every queue of a vhost with its type (classic, quorum) and whether it is durable.</summary>
    public async Task<List<(string Name, string Type, bool Durable)>> QueuesAsync(RabbitMqVhost vhost)
    {
        var queues = await _management.GetFromJsonAsync<System.Text.Json.JsonElement>($"api/queues/{Uri.EscapeDataString(vhost.Name)}");
        return [.. queues.EnumerateArray().Select(q => (q.GetProperty("name").GetString()!, q.GetProperty("type").GetString()!, q.GetProperty("durable").GetBoolean()))];
    }

    /// <summary>
    /// Closes every client connection to a vhost, as a broker restart does from the clients' side; returns how many.
    /// </summary>
    public async Task<int> CloseConnectionsAsync(RabbitMqVhost vhost)
    {
        var connections = await _management.GetFromJsonAsync<System.Text.Json.JsonElement>($"api/vhosts/{Uri.EscapeDataString(vhost.Name)}/connections");
        var closed = 0;
        foreach (var connection in connections.EnumerateArray())
        {
            using var close = await _management.DeleteAsync($"api/connections/{Uri.EscapeDataString(connection.GetProperty("name").GetString()!)}");
            if (close.IsSuccessStatusCode) closed++;
        }
        return closed;
    }

    public async Task DeleteVhostAsync(RabbitMqVhost vhost) =>
        (await _management.DeleteAsync($"api/vhosts/{Uri.EscapeDataString(vhost.Name)}")).EnsureSuccessStatusCode();

    private static string Image(string variable, string fallback) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } image ? image : fallback;

    private static string UniqueName(string prefix) =>
        $"{prefix.ToLowerInvariant()}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 63)];
}

public sealed record RabbitMqServer(string Host, ushort Port, string Username, string Password, Uri Management);

/// <summary>A vhost of its own for one test class.</summary>
public sealed record RabbitMqVhost(RabbitMqServer Server, string Name)
{
    public Uri Uri => new($"rabbitmq://{Server.Host}:{Server.Port}/{Uri.EscapeDataString(Name)}");
}

using MdrMesh.ServiceDefaults;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.Options;

namespace MdrMesh.Gateway.Access;

/// <summary>
/// The installation operator's commands, run by the gateway's own binary with its configuration,
/// straight against its database: no API token, since whoever may run the gateway with its
/// database password and signing key is the operator already. <c>deploy/admin.sh</c> runs them in
/// the gateway's container:
/// <c>dotnet MdrMesh.Gateway.dll admin connections create [--name N] [--rights R,R] [--tenants T,T] | list | revoke CLIENT_ID</c>.
/// <c>create</c> prints the credentials (JSON, like the first start's file) and nothing else on stdout.
/// </summary>
public static class AdminCommands
{
    public const string Actor = "admin tool";
    private const string Usage = "usage: admin connections create [--name NAME] [--rights R1,R2] [--tenants T1,T2] | connections list | connections revoke CLIENT_ID";

    public static async Task<int> RunAsync(string[] args, IEnumerable<KeyValuePair<string, string?>>? settings = null, TextWriter? output = null,
        TimeProvider? clock = null)
    {
        output ??= Console.Out;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        // Warnings only, and on stderr: stdout carries the answer (for create, the credentials file).
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(clock ?? TimeProvider.System);
        builder.AddAccessStore();
        await using var app = builder.Build();
        var store = app.Services.GetRequiredService<IDocumentStore>();
        var now = app.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        try
        {
            switch (args)
            {
                case ["connections", "create", .. var options]:
                    return await CreateAsync(options, store, app.Services.GetRequiredService<TokenService>(),
                        app.Services.GetRequiredService<IOptions<AccessOptions>>().Value, now, output);
                case ["connections", "list"]:
                    await using (var query = store.QuerySession())
                        foreach (var c in (await AccessStore.ConnectionsAsync(query, CancellationToken.None)).OrderBy(c => c.CreatedAt))
                            await output.WriteLineAsync(string.Join('\t', c.Id, c.Status(now), c.Name, string.Join(',', c.Rights),
                                c.AllTenants ? "*" : string.Join(',', c.TenantIds), $"{c.CreatedAt:u}", c.LastUsedAt is { } used ? $"{used:u}" : "-"));
                    return 0;
                case ["connections", "revoke", var clientId]:
                    return await RevokeAsync(clientId, store, now, output);
                default:
                    await Console.Error.WriteLineAsync(Usage);
                    return 2;
            }
        }
        catch (AdminError error)
        {
            await Console.Error.WriteLineAsync($"error: {error.Message}");
            return 1;
        }
    }

    private static async Task<int> CreateAsync(string[] options, IDocumentStore store, TokenService tokens, AccessOptions access,
        DateTimeOffset now, TextWriter output)
    {
        for (var i = 0; i < options.Length; i += 2)
            if (options[i] is not ("--name" or "--rights" or "--tenants")) throw new AdminError($"unknown option {options[i]} (--name, --rights, --tenants)");
        var name = Option(options, "--name") ?? $"{FirstStart.Name} (created {now:yyyy-MM-dd HH:mm} UTC)";
        var rights = (Option(options, "--rights") ?? $"{Rights.SocOperator},{Rights.FullAccess}")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToList();
        var tenants = Option(options, "--tenants")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToList();
        if (rights.FirstOrDefault(r => !Rights.All.Contains(r)) is { } unknown)
            throw new AdminError($"--rights: {unknown} is not one of {string.Join(", ", Rights.All)}");
        if (rights.Count == 0) throw new AdminError("--rights: at least one is needed");
        if (name.Length is 0 or > 256 || ConnectionEndpoints.ImitatesSystemActor(name)) throw new AdminError("--name: 1 to 256 characters, not a system actor's name");
        var connection = new ApiConnection
        {
            Id = AccessStore.NewId("c"), Name = name, Rights = rights, AllTenants = tenants is not { Count: > 0 }, TenantIds = tenants ?? [],
            CreatedAt = now, CreatedBy = Actor,
        };
        var refresh = await ConnectionEndpoints.StoreAsync(store, connection, tokens, CancellationToken.None)
                      ?? throw new AdminError($"--name: a connection named '{name}' exists (names are compared ignoring case)");
        await output.WriteLineAsync(JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["api_url"] = $"{access.PublicUrl.TrimEnd('/')}/api/v1",
            ["client_id"] = connection.Id,
            ["refresh_token"] = refresh,
        }));
        return 0;
    }

    private static async Task<int> RevokeAsync(string clientId, IDocumentStore store, DateTimeOffset now, TextWriter output)
    {
        await using var session = store.LightweightSession();
        var connection = await session.LoadAsync<ApiConnection>(clientId) ?? throw new AdminError($"no connection {clientId}");
        session.Store(connection with { RevokedAt = connection.RevokedAt ?? now });
        await session.SaveChangesAsync();
        // A gateway caches connections for a few seconds (Access:ConnectionCacheSeconds): the revocation takes effect within that.
        await output.WriteLineAsync($"revoked {connection.Id} ({connection.Name})");
        return 0;
    }

    private static string? Option(string[] options, string name)
    {
        var at = Array.IndexOf(options, name);
        if (at < 0) return null;
        return at + 1 < options.Length ? options[at + 1] : throw new AdminError($"{name} needs a value");
    }

    private sealed class AdminError(string message) : Exception(message);
}

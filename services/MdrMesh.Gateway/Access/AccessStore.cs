using Marten;
using MdrMesh.Gateway.Tenants;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Gateway.Access;

/// <summary>The connections, refresh tokens and tenants, in the gateway's own schema (root scope: they belong to no tenant).</summary>
public static class AccessStore
{
    public const string Schema = "access";

    /// <summary>The gateway's store, its options and its token service: what the API and the admin commands share.</summary>
    public static void AddAccessStore(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<AccessOptions>(builder.Configuration.GetSection("Access"));
        builder.AddMdrMarten(Schema, options =>
        {
            options.Schema.For<ApiConnection>().UseOptimisticConcurrency(true)
                .Index(c => c.Name, index => { index.IsUnique = true; index.Casing = Marten.Schema.ComputedIndex.Casings.Lower; });
            options.Schema.For<RefreshTokenRecord>().UseOptimisticConcurrency(true).Index(r => r.ClientId);
            // Written on the request path by many requests at once: no version check, last writer wins.
            options.Schema.For<ConnectionUse>();
            options.Schema.For<Tenant>();
            options.Schema.For<WebConsole.ConsoleKey>();
            options.Schema.For<WebConsole.ConsoleUser>().UseOptimisticConcurrency(true)
                .Index(u => u.Name, index => { index.IsUnique = true; index.Casing = Marten.Schema.ComputedIndex.Casings.Lower; });
        });
        builder.Services.AddSingleton<TokenService>();
        builder.Services.AddSingleton<AnswerSealer>();
    }

    public static string NewId(string prefix) => $"{prefix}{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12))}";

    public static async Task<IReadOnlyList<ApiConnection>> ConnectionsAsync(IQuerySession query, CancellationToken ct) =>
        await UsedAsync(query, await query.Query<ApiConnection>().ToListAsync(ct), ct);

    /// <summary>The connections, each with its last use as <see cref="ConnectionUse"/> records it (read for these connections only).</summary>
    public static async Task<IReadOnlyList<ApiConnection>> UsedAsync(IQuerySession query, IReadOnlyList<ApiConnection> connections, CancellationToken ct)
    {
        var uses = (await query.LoadManyAsync<ConnectionUse>(ct, connections.Select(c => c.Id))).ToDictionary(u => u.Id);
        return connections.Select(c => c.UsedAt(uses.GetValueOrDefault(c.Id))).ToList();
    }
}

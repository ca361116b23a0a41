using Marten;

namespace MdrMesh.Gateway.Access;

/// <summary>The connections, refresh tokens and tenants, in the gateway's own schema (root scope: they belong to no tenant).</summary>
public static class AccessStore
{
    public const string Schema = "access";

    public static string NewId(string prefix) => $"{prefix}{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12))}";

    public static async Task<IReadOnlyList<ApiConnection>> ConnectionsAsync(IQuerySession query, CancellationToken ct) =>
        await query.Query<ApiConnection>().ToListAsync(ct);
}

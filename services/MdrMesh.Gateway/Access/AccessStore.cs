using Marten;

namespace MdrMesh.Gateway.Access;

/// <summary>The connections, refresh tokens and tenants, in the gateway's own schema (root scope: they belong to no tenant).</summary>
public static class AccessStore
{
    public const string Schema = "access";

    public static string NewId(string prefix) => $"{prefix}{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12))}";

    public static async Task<IReadOnlyList<ApiConnection>> ConnectionsAsync(IQuerySession query, CancellationToken ct)
    {
        var uses = (await query.Query<ConnectionUse>().ToListAsync(ct)).ToDictionary(u => u.Id);
        return (await query.Query<ApiConnection>().ToListAsync(ct)).Select(c => c.UsedAt(uses.GetValueOrDefault(c.Id))).ToList();
    }

    /// <summary>A write that lost a race: a version check (Marten, possibly several in one batch) or a unique index.</summary>
    public static bool IsConflict(Exception exception) => exception switch
    {
        JasperFx.ConcurrencyException => true,
        Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation } => true,
        AggregateException aggregate => aggregate.InnerExceptions.Any(IsConflict),
        { InnerException: { } inner } => IsConflict(inner),
        _ => false,
    };

    /// <summary>Kept losing races: the caller may simply send it again.</summary>
    public static IResult Busy() => Unavailable.Problem(503, "The service is temporarily unavailable.");
}

using System.Collections.Concurrent;
using System.Diagnostics;
using Marten;

namespace MdrMesh.Gateway.Access;

/// <summary>
/// Connections as last read, so a token is checked on every request without a database read each
/// time. An entry lives <c>Access:ConnectionCacheSeconds</c> (default 5) of real time. A change made
/// through this gateway (revoke, delete, a token chain cut off) evicts the entry at once; another
/// gateway instance sees it within that time: the bound on how late a revocation takes effect.
/// Only connections that exist are kept, so a caller cannot grow the cache with made-up client ids.
/// </summary>
public sealed class ConnectionCache(IDocumentStore store, IConfiguration configuration)
{
    private readonly long _lifetime = (long)(TimeSpan.FromSeconds(configuration.GetValue("Access:ConnectionCacheSeconds", 5.0)).TotalSeconds
                                             * Stopwatch.Frequency);
    private readonly ConcurrentDictionary<string, (ApiConnection Connection, long Until)> _entries = new();

    public async Task<ApiConnection?> GetAsync(string clientId, CancellationToken ct)
    {
        var now = Stopwatch.GetTimestamp();
        if (_entries.TryGetValue(clientId, out var entry) && entry.Until > now) return entry.Connection;
        ApiConnection? connection;
        await using (var query = store.QuerySession())
            connection = await query.LoadAsync<ApiConnection>(clientId, ct);
        if (connection is null) _entries.TryRemove(clientId, out _);
        else if (_lifetime > 0) _entries[clientId] = (connection, now + _lifetime);
        return connection;
    }

    public void Evict(string clientId) => _entries.TryRemove(clientId, out _);
}

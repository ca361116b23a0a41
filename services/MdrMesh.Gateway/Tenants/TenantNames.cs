using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Marten;

namespace MdrMesh.Gateway.Tenants;

/// <summary>
/// Tenants are the gateway's: the services know tenants by id only. The API speaks of tenant
/// *names* (<c>tenants_names</c> filters, <c>tenant_name</c> fields), so the gateway translates at
/// the edge: names in a request's <c>tenants_names</c> become the ids of the tenants so named (a
/// value that names no tenant is passed on as it is, so it matches a tenant of that id or nothing),
/// and every <c>tenant_name</c> in an answer, holding an id, gets that tenant's name. Names are read
/// at most every 5 s (a rename through another gateway instance shows within that time).
/// </summary>
public sealed class TenantNames(IDocumentStore store)
{
    private static readonly long Lifetime = 5 * Stopwatch.Frequency;
    private static readonly byte[] Marker = Encoding.UTF8.GetBytes("\"tenant_name\"");
    private sealed record Snapshot(IReadOnlyDictionary<string, string> Names, long Until);
    private volatile Snapshot? _cached;

    public void Evict() => _cached = null;

    /// <summary>Tenant id → name; data of no tenant is in the root scope, whose name is its id.</summary>
    public async Task<IReadOnlyDictionary<string, string>> ByIdAsync(CancellationToken ct)
    {
        var now = Stopwatch.GetTimestamp();
        if (_cached is { } cached && cached.Until > now) return cached.Names;
        await using var query = store.QuerySession();
        var names = (await query.Query<Tenant>().ToListAsync(ct)).ToDictionary(t => t.Id, t => t.Name);
        _cached = new Snapshot(names, now + Lifetime);
        return names;
    }

    /// <summary>The request body with <c>tenants_names</c> as ids; unchanged when it has none (or is not a JSON object).</summary>
    public async Task<byte[]> NamesToIdsAsync(byte[] body, CancellationToken ct)
    {
        if (body.Length == 0 || body.AsSpan().IndexOf("\"tenants_names\""u8) < 0) return body;
        if (Parse(body) is not JsonObject request || request["tenants_names"] is not JsonArray names) return body;
        var byId = await ByIdAsync(ct);
        var ids = new JsonArray();
        foreach (var name in names)
        {
            if (name?.GetValueKind() != System.Text.Json.JsonValueKind.String) return body; // the service names the bad item
            var value = name.GetValue<string>();
            var matching = byId.Where(t => string.Equals(t.Value, value, StringComparison.OrdinalIgnoreCase)).Select(t => t.Key).ToList();
            foreach (var id in matching.Count > 0 ? matching : [value]) ids.Add(id);
        }
        request["tenants_names"] = ids;
        return Encoding.UTF8.GetBytes(request.ToJsonString());
    }

    /// <summary>The answer with every <c>tenant_name</c> a name; unchanged when it holds none.</summary>
    public async Task<byte[]> IdsToNamesAsync(byte[] answer, CancellationToken ct)
    {
        if (answer.AsSpan().IndexOf(Marker) < 0 || Parse(answer) is not { } json) return answer;
        var byId = await ByIdAsync(ct);
        Rename(json, byId);
        return Encoding.UTF8.GetBytes(json.ToJsonString());
    }

    private static void Rename(JsonNode? node, IReadOnlyDictionary<string, string> byId)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o.ToList())
                    if (key == "tenant_name" && value?.GetValueKind() == System.Text.Json.JsonValueKind.String)
                    {
                        if (byId.TryGetValue(value.GetValue<string>(), out var name)) o[key] = name;
                    }
                    else Rename(value, byId);
                break;
            case JsonArray a:
                foreach (var item in a) Rename(item, byId);
                break;
        }
    }

    private static JsonNode? Parse(byte[] json)
    {
        try { return JsonNode.Parse(json); }
        catch (System.Text.Json.JsonException) { return null; }
    }
}

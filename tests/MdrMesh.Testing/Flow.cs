using System.Text.Json.Nodes;

namespace MdrMesh.Testing;

/// <summary>The steps of a response's life, as API calls.</summary>
public static class Flow
{
    public const string Md5 = "0123456789abcdef0123456789abcdef";
    public const string Sha256 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    /// <summary>The same asset ids in every tenant, a small and a large file on each Windows host.</summary>
    /// <remarks>The invoice on ws-1 is 2048 bytes in the first tenant, 4096 in the second, and so on.</remarks>
    public static string FleetJson(params string[] tenants) => new JsonArray(tenants.SelectMany((tenant, i) => new[]
    {
        Asset(tenant, "ws-1", "WS-1", 2048 * (i + 1)),
        Asset(tenant, "ws-2", "WS-2", 1024),
    }).ToArray<JsonNode?>()).ToJsonString();

    private static JsonObject Asset(string tenant, string id, string host, long size) => new()
    {
        ["asset_id"] = id,
        ["tenant_id"] = tenant,
        ["host_name"] = host,
        ["os"] = "Windows",
        ["files"] = new JsonArray(
            new JsonObject { ["path"] = @"C:\Users\alice\invoice.exe", ["size_bytes"] = size, ["sha256"] = Sha256, ["md5"] = Md5 },
            new JsonObject { ["path"] = @"C:\images\disk.iso", ["size_bytes"] = 50L * 1024 * 1024, ["sha256"] = Sha256, ["md5"] = Md5 }),
    };

    public static async Task<string> OpenIncidentAsync(this Mesh mesh, string tenant, string summary = "Miner on WS-1")
    {
        var incident = await mesh.OkAsync("incidents/create", new
        {
            summary, tenant_id = tenant, affected_hosts = new[] { "WS-1:ws-1", "WS-2:ws-2" }, priority = "HIGH",
            description = "Cryptominer spawned by invoice.exe",
        });
        return incident["incident_id"]!.GetValue<string>();
    }

    /// <summary>The multipart body of <c>attachments/upload</c>: a file part and the meta part naming the incident.</summary>
    public static MultipartFormDataContent Upload(string incidentId, string fileName, byte[] content, string? caption = null) => new()
    {
        { new ByteArrayContent(content), "file", fileName },
        { new StringContent(new JsonObject { ["incident_id"] = incidentId, ["caption"] = caption }.ToJsonString()), "meta" },
    };

    public static async Task<string> ProposeAsync(this Mesh mesh, string incidentId, string type, object parameters, string asset = "ws-1")
    {
        var response = await mesh.OkAsync("responses/create", new
        {
            incident_id = incidentId, asset_id = asset, type, parameters, description = $"{type} on {asset}",
        });
        return response["response_id"]!.GetValue<string>();
    }

    /// <summary><c>response/update</c> right after the proposal, as a client script would send it.</summary>
    public static Task<JsonNode> DecideAsync(this Mesh mesh, string responseId, string status, string comment, string caller) =>
        mesh.OkAsync("response/update", new { response_id = responseId, status, comment }, caller);

    public static async Task<JsonNode> ResponseAsync(this Mesh mesh, string incidentId, string responseId)
    {
        var responses = await mesh.OkAsync("responses/list", new { incident_id = incidentId });
        return responses.AsArray().Single(r => r!["response_id"]!.GetValue<string>() == responseId)!;
    }

    public static Task<JsonNode> WaitForStatusAsync(this Mesh mesh, string incidentId, string responseId, string status) =>
        Eventually.ReturnsAsync(() => mesh.ResponseAsync(incidentId, responseId), r => r["status"]!.GetValue<string>() == status,
            $"response {responseId} {status}");

    public static async Task<JsonArray> HistoryAsync(this Mesh mesh, string incidentId) =>
        (await mesh.OkAsync("incidents/history", new { incident_id = incidentId })).AsArray();

    /// <summary>The history records of one response, as (status, changed_by) pairs in order.</summary>
    public static async Task<List<(string Status, string By)>> ResponseHistoryAsync(this Mesh mesh, string incidentId, string responseId) =>
        (await mesh.HistoryAsync(incidentId))
            .Select(r => r!)
            .Where(r => r["entity"]!["incident_response"]?["response_id"]?.GetValue<string>() == responseId)
            .Select(r => (r["entity"]!["incident_response"]!["status"]!.GetValue<string>(), r["changed_by"]!.GetValue<string>()))
            .ToList();
}

namespace MdrMesh.ServiceDefaults;

/// <summary>
/// Ids are opaque strings to clients: MdrMesh's own are GUIDs, and a string of any other shape
/// names nothing, so the answer is 404 (as for an id that is not there), never 400.
/// </summary>
public static class ApiIds
{
    public static Guid? Parse(string? id) => Guid.TryParse(id, out var parsed) ? parsed : null;
}

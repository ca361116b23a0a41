using System.Text.Json;

namespace MdrMesh.ServiceDefaults;

/// <summary><c>fields</c> of list and details methods: the answer keeps only the keys it names.</summary>
public static class Fields
{
    /// <summary>The view with only the keys named in <paramref name="fields"/>; without it, every key.</summary>
    public static object Project<T>(T view, IReadOnlyCollection<string>? fields)
    {
        if (fields is not { Count: > 0 }) return view!;
        var json = JsonSerializer.SerializeToNode(view, ApiJson.Options)!.AsObject();
        foreach (var key in json.Select(p => p.Key).Where(k => !fields.Contains(k)).ToList()) json.Remove(key);
        return json;
    }
}

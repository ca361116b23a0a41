namespace MdrMesh.ServiceDefaults;

/// <summary>Data raised or registered without a tenant belongs to the root scope, the provider's own.</summary>
public static class RootTenant
{
    public const string Id = "root";
}

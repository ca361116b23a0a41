namespace MdrMesh.Contracts.Assets;

/// <summary>The OS families an asset has (<see cref="Messages.AssetProfiled.Os"/>), for the services that select assets by them.</summary>
public static class OsFamilies
{
    public static readonly IReadOnlyList<string> All = ["Windows", "Linux", "macOS"];
}

namespace MdrMesh.Contracts.Messages;

/// <summary>
/// What an asset is, as the executor (which owns the assets) knows it: host name, domain, OS family and tags. Announced
/// when an asset is registered or loaded and whenever these change; a later <see cref="At"/> supersedes an earlier one.
/// </summary>
public sealed record AssetProfiled(
    string TenantId,
    string AssetId,
    string HostName,
    string? Domain,
    string Os,
    IReadOnlyList<string> Tags,
    DateTimeOffset At);

using Messages = MdrMesh.Contracts.Messages;

namespace MdrMesh.Approvals.AssetGrouping;

/// <summary>
/// What the approvals service knows of an asset, from the executor's <see cref="Messages.AssetProfiled"/>: what asset
/// groups select by. A document per tenant and asset (its id is the asset id, in the tenant's scope).
/// </summary>
public sealed record AssetProfile
{
    public string Id { get; init; } = "";
    public string HostName { get; init; } = "";
    public string? Domain { get; init; }
    public string Os { get; init; } = "";
    public IReadOnlyList<string> Tags { get; init; } = [];
    public DateTimeOffset At { get; init; }

    public static AssetProfile Of(Messages.AssetProfiled m) =>
        new() { Id = m.AssetId, HostName = m.HostName, Domain = m.Domain, Os = m.Os, Tags = m.Tags, At = m.At };

    /// <summary>A profile replaces the one kept only when it is later: a redelivered or overtaken message changes nothing.</summary>
    public static bool Supersedes(Messages.AssetProfiled m, AssetProfile? kept) => kept is null || m.At > kept.At;
}

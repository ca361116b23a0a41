namespace MdrMesh.Approvals.AssetGrouping;

/// <summary>
/// Which assets a group holds, by the criteria of <c>assets/list</c>: OS family (<see cref="Os"/>), domain, a host-name
/// glob (<see cref="HostNamePattern"/>) and tags. An asset is in when it meets every criterion given: one of the OS
/// families, one of the domains, the pattern, any of the tags (lists and names ignoring case). No criteria: every asset.
/// </summary>
public sealed record AssetGroupFilter
{
    public IReadOnlyList<string> Os { get; init; } = [];
    public IReadOnlyList<string> Domain { get; init; } = [];
    public string? HostNamePattern { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];

    public bool Contains(AssetProfile asset) =>
        (Os.Count == 0 || Os.Contains(asset.Os, StringComparer.OrdinalIgnoreCase))
        && (Domain.Count == 0 || (asset.Domain is { } domain && Domain.Contains(domain, StringComparer.OrdinalIgnoreCase)))
        && (HostNamePattern is null || HostNameGlob.Matches(HostNamePattern, asset.HostName))
        && (Tags.Count == 0 || Tags.Any(tag => asset.Tags.Contains(tag, StringComparer.OrdinalIgnoreCase)));

    /// <summary>The same criteria: a group changed to what it is is not a change.</summary>
    public bool SameAs(AssetGroupFilter other) =>
        HostNamePattern == other.HostNamePattern && Os.SequenceEqual(other.Os) && Domain.SequenceEqual(other.Domain) && Tags.SequenceEqual(other.Tags);
}

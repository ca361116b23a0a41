namespace MdrMesh.Executor.Fleet;

/// <summary>An endpoint of the simulated fleet, with the state responses act on.</summary>
public sealed record FleetAsset
{
    public string Id { get; init; } = "";
    public string HostName { get; init; } = "";
    public string Os { get; init; } = "Windows";
    public string Status { get; init; } = "OK";
    public bool Isolated { get; init; }
    public string? IsolationTaskId { get; init; }
    public DateTimeOffset? IsolationEndsAt { get; init; }
    public Dictionary<string, FleetFile> Files { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    public bool IsReachable => Status is not ("OFFLINE" or "ABSENT");
}

public sealed record FleetFile(long SizeBytes, string Sha256, string Md5);

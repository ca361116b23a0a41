using MdrMesh.Contracts.Responses;

namespace MdrMesh.Executor.Fleet;

/// <summary>An endpoint of the simulated fleet with everything responses act on. A document per asset, per tenant.</summary>
public sealed record FleetAsset
{
    public string Id { get; init; } = "";

    /// <summary>Filled by Marten from the document's tenant (conjoined tenancy metadata).</summary>
    public string TenantId { get; set; } = "";

    public string HostName { get; init; } = "";
    public string? Domain { get; init; }
    public string Os { get; init; } = OsFamily.Windows;
    public string? OsVersion { get; init; }
    public string? Product { get; init; }
    public string? ProductVersion { get; init; }
    public bool PowerShell { get; init; }
    public IReadOnlyList<NetworkInterface> NetworkInterfaces { get; init; } = [];
    public DateTimeOffset FirstSeen { get; init; }
    public DateTimeOffset LastSeen { get; init; }
    public string Status { get; init; } = AssetStatus.Ok;
    public IReadOnlyList<FleetFile> Files { get; init; } = [];
    public IReadOnlyList<FleetProcess> Processes { get; init; } = [];
    public IReadOnlyList<RegistryKey> Registry { get; init; } = [];
    public IReadOnlyList<QuarantinedFile> Quarantine { get; init; } = [];
    public IsolationState? Isolation { get; init; }

    /// <summary>When the isolation lifts by itself; kept beside <see cref="Isolation"/> so it can be queried.</summary>
    public DateTimeOffset? IsolationEndsAt { get; init; }

    /// <summary>Labels the customer gives the asset (e.g. <c>pci</c>), which asset groups select by; none on assets stored before tags.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    public bool IsReachable => Status is not (AssetStatus.Offline or AssetStatus.Absent);

    public bool IsWindows => Os == OsFamily.Windows;

    /// <summary>Windows paths ignore case; others do not.</summary>
    public bool SamePath(string a, string b) => string.Equals(a, b, IsWindows ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    public FleetFile? File(string path) => Files.FirstOrDefault(f => SamePath(f.Path, path));
}

public static class OsFamily
{
    public const string Windows = "Windows";
    public const string Linux = "Linux";
    public const string MacOs = "macOS";
    public static readonly IReadOnlyList<string> All = [Windows, Linux, MacOs];
}

public static class AssetStatus
{
    public const string Ok = "OK";
    public const string Warning = "WARNING";
    public const string Critical = "CRITICAL";
    public const string Offline = "OFFLINE";
    public const string Absent = "ABSENT";
    public static readonly IReadOnlyList<string> All = [Ok, Warning, Critical, Offline, Absent];
}

public sealed record NetworkInterface(string? Ip, string? Mac);

public sealed record FleetFile(string Path, long SizeBytes, string Sha256, string Md5);

public sealed record FleetProcess(long Pid, string UniqueId, string ImagePath, string? Sha256, string? Md5, long MemoryMb)
{
    public string ImageName => ImagePath[(ImagePath.LastIndexOfAny(['\\', '/']) + 1)..];
}

/// <summary>
/// A registry key and its values by name (the empty name is the default value). A key that is a
/// symbolic link has <see cref="LinkTarget"/>: deleting it deletes the link, never the target.
/// </summary>
public sealed record RegistryKey(string Key, IReadOnlyDictionary<string, string> Values, string? LinkTarget = null);

/// <summary>A file in the asset's local quarantine: which response put it there, from where, with which hashes.</summary>
public sealed record QuarantinedFile(Guid? ResponseId, Guid? IncidentId, string OriginalPath, long SizeBytes, string Sha256, string Md5,
    DateTimeOffset At);

/// <summary>Network isolation in force: which response set it, its exclusion rules, term and task id.</summary>
public sealed record IsolationState(Guid? ResponseId, Guid? IncidentId, string? TaskId, IReadOnlyList<ExclusionRule?> ExclusionRules,
    long TermSeconds, DateTimeOffset Since, DateTimeOffset Until);

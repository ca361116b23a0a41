using MdrMesh.Contracts.Responses;
using MdrMesh.Contracts.Validation;
using MdrMesh.Executor.Fleet;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Executor.Assets;

/// <summary>
/// An asset and its state as <c>assets/register</c> and the fleet file take it (snake_case):
/// identity, OS and agent, interfaces, files, processes, registry keys, tags.
/// </summary>
public sealed record AssetRegistration(
    string? AssetId,
    string? TenantId,
    string? HostName,
    string? Domain,
    [property: OneOf(typeof(OsFamily), nameof(OsFamily.All))] string? Os,
    string? OsVersion,
    string? Product,
    string? ProductVersion,
    bool? Powershell,
    List<NetworkInterface>? NetworkInterfaces,
    [property: OneOf(typeof(AssetStatus), nameof(AssetStatus.All))] string? Status,
    List<FileRegistration>? Files,
    List<ProcessRegistration>? Processes,
    List<RegistryKeyRegistration>? Registry,
    List<string>? Tags = null)
{
    public const int MaxTags = 32;
    public const int MaxTagLength = 64;

    public IReadOnlyList<ValidationError> Validate()
    {
        var errors = new List<ValidationError>();
        var at = new Check(errors, "");
        at.Field("asset_id").NonEmpty(AssetId, 256);
        at.Field("host_name").NonEmpty(HostName, 256);
        at.Field("tenant_id").NonEmpty(TenantId, 128, required: false);
        at.Field("os").OneOf(Os, OsFamily.All, required: false);
        at.Field("status").OneOf(Status, AssetStatus.All, required: false);
        if (Tags?.Count > MaxTags) at.Field("tags").Fail($"must have at most {MaxTags} items");
        else at.Field("tags").Items(Tags, MaxTagLength);
        for (var i = 0; i < (Files?.Count ?? 0); i++)
        {
            var file = at.Field("files").Item(i);
            file.Field("path").AbsolutePath(Files![i].Path);
            file.Field("size_bytes").InRange(Files[i].SizeBytes, 0, long.MaxValue);
            file.Field("sha256").Sha256(Files[i].Sha256, required: true);
            file.Field("md5").Md5(Files[i].Md5, required: true);
        }
        for (var i = 0; i < (Processes?.Count ?? 0); i++)
        {
            var process = at.Field("processes").Item(i);
            process.Field("pid").InRange(Processes![i].Pid, 1, uint.MaxValue);
            process.Field("unique_id").NonEmpty(Processes[i].UniqueId, 256);
            process.Field("image_path").AbsolutePath(Processes[i].ImagePath);
            process.Field("sha256").Sha256(Processes[i].Sha256);
            process.Field("md5").Md5(Processes[i].Md5);
            process.Field("memory_mb").InRange(Processes[i].MemoryMb, 0, long.MaxValue, required: false);
        }
        for (var i = 0; i < (Registry?.Count ?? 0); i++)
        {
            // The same rules as a Delete registry key proposal: a key under HKEY_LOCAL_MACHINE or HKEY_USERS.
            var key = at.Field("registry").Item(i);
            new DeleteRegistryKeyParameters(Registry![i].Key).Validate(key);
            if (Registry[i].LinkTarget is { } target) new DeleteRegistryKeyParameters(target).Validate(key.Field("link_target"));
        }
        return errors.Select(e => e with { Field = e.Field.Replace("link_target.key", "link_target") }).ToList();
    }

    /// <summary>The asset as registered; what responses did to an existing one (quarantine, isolation) is kept.</summary>
    public FleetAsset ToAsset(FleetAsset? existing, DateTimeOffset now) => new()
    {
        Id = AssetId!, HostName = HostName!, Domain = Domain, Os = Os ?? OsFamily.Windows, OsVersion = OsVersion, Product = Product,
        ProductVersion = ProductVersion, PowerShell = Powershell ?? false, NetworkInterfaces = NetworkInterfaces ?? [],
        Status = Status ?? AssetStatus.Ok, FirstSeen = existing?.FirstSeen ?? now, LastSeen = now,
        Files = (Files ?? []).Select(f => new FleetFile(f.Path!, f.SizeBytes!.Value, f.Sha256!.ToLowerInvariant(), f.Md5!.ToLowerInvariant())).ToList(),
        Processes = (Processes ?? []).Select(p => new FleetProcess(p.Pid!.Value, p.UniqueId!, p.ImagePath!, p.Sha256?.ToLowerInvariant(),
            p.Md5?.ToLowerInvariant(), p.MemoryMb ?? 0)).ToList(),
        Registry = (Registry ?? []).Select(r => new RegistryKey(r.Key!, r.Values ?? [], r.LinkTarget)).ToList(),
        Quarantine = existing?.Quarantine ?? [],
        Isolation = existing?.Isolation,
        IsolationEndsAt = existing?.IsolationEndsAt,
        // A tag is a label: the same one twice, or in another case, is one tag.
        Tags = (Tags ?? []).Distinct(StringComparer.OrdinalIgnoreCase).ToList(),
    };
}

public sealed record FileRegistration(string? Path, long? SizeBytes, string? Sha256, string? Md5);

public sealed record ProcessRegistration(long? Pid, string? UniqueId, string? ImagePath, string? Sha256, string? Md5, long? MemoryMb);

public sealed record RegistryKeyRegistration(string? Key, Dictionary<string, string>? Values, string? LinkTarget);

using System.Globalization;
using System.Text;
using MdrMesh.Contracts.Messages;

namespace MdrMesh.Executor.Fleet;

/// <summary>
/// What the simulated fleet hands back for a collected file or memory dump: not the real bytes (it has
/// none) but a small text that says so and describes what a real endpoint would have sent. The same
/// asset and response always give the same stand-in.
/// </summary>
public static class StandIns
{
    public static ResponseArtifact File(FleetAsset asset, FleetFile file)
    {
        var name = file.Path[(file.Path.LastIndexOfAny(['\\', '/']) + 1)..] + ".standin.txt";
        var text = Invariant($"""
            MdrMesh simulated fleet: a stand-in, not the collected file.
            host: {asset.HostName} ({asset.Id})
            path: {file.Path}
            size_bytes: {file.SizeBytes}
            sha256: {file.Sha256}
            md5: {file.Md5}

            """);
        return new ResponseArtifact(name,
            Invariant($"GET_FILE {file.Path} from {asset.HostName}: a stand-in from MdrMesh's simulated fleet, not the real file ({file.SizeBytes} bytes, SHA-256 {file.Sha256})."),
            Encoding.UTF8.GetBytes(text));
    }

    public static ResponseArtifact Dump(FleetAsset asset, string dumpType, IReadOnlyList<FleetProcess> processes, long sizeMb)
    {
        var text = new StringBuilder(Invariant($"MdrMesh simulated fleet: a stand-in, not a memory dump.\nhost: {asset.HostName} ({asset.Id})\ndump_type: {dumpType}\nsize_mb: {sizeMb}\nprocesses:\n"));
        foreach (var p in processes) text.Append(Invariant($"  pid {p.Pid} {p.ImagePath} {p.MemoryMb} MB sha256 {p.Sha256}\n"));
        return new ResponseArtifact(Invariant($"{asset.HostName}-{dumpType.ToLowerInvariant()}.dmp.standin.txt"),
            Invariant($"MEMORY_DUMP ({dumpType}, {processes.Count} processes, {sizeMb} MB) of {asset.HostName}: a stand-in from MdrMesh's simulated fleet, not a real dump."),
            Encoding.UTF8.GetBytes(text.ToString()));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

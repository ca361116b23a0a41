using MdrMesh.Contracts.Messages;
using MdrMesh.Contracts.Responses;
using MdrMesh.Executor.Executing;

namespace MdrMesh.Executor.Fleet;

/// <summary>
/// What each response type does to a simulated asset, by the rules of the response-type spec.
/// Pure: the asset before, the request and the time in; the asset after and the outcome out.
/// </summary>
public static class FleetRules
{
    private const long Megabyte = 1024 * 1024;

    public static (FleetAsset? Asset, ExecutionOutcome Outcome) Execute(FleetAsset? asset, ExecutionRequest request, DateTimeOffset now)
    {
        if (asset is null)
            return (null, new Failed(ReasonCodes.AssetNotFound, $"No asset {request.AssetId} in the endpoint fleet."));
        if (!asset.IsReachable)
            return (asset, new Unreachable($"The asset {asset.HostName} is {asset.Status}."));

        return request.Parameters switch
        {
            GetFileParameters p => GetFile(asset, p),
            IsolateParameters p => Isolate(asset, p, request, now),
            DisableIsolationParameters => DisableIsolation(asset),
            DeleteRegistryKeyParameters p => DeleteRegistryKey(asset, p),
            MemoryDumpParameters p => MemoryDump(asset, p),
            TerminateProcessParameters p => TerminateProcess(asset, p),
            RunScriptParameters p => RunScript(asset, p),
            QuarantineFileParameters p => Quarantine(asset, p, request, now),
            RestoreFromQuarantineParameters p => Restore(asset, p),
            _ => (asset, new Failed(ReasonCodes.NotSupported, $"The simulated fleet does not carry out {request.Parameters.Type}.")),
        };
    }

    /// <summary>An isolation whose term has ended lifts by itself; the response that set it is undone by the expiry.</summary>
    public static (FleetAsset Asset, UndoneResponse? Undone) Expire(FleetAsset asset, DateTimeOffset now)
    {
        if (asset.Isolation is not { } isolation || isolation.Until > now) return (asset, null);
        var undone = isolation is { ResponseId: { } id, IncidentId: { } incident } ? new UndoneResponse(id, incident, UndoReason.IsolationExpired) : null;
        return (asset with { Isolation = null, IsolationEndsAt = null }, undone);
    }

    private static (FleetAsset, ExecutionOutcome) Fail(FleetAsset asset, string code, string message) => (asset, new Failed(code, message));

    private static Dictionary<string, string> Details(params (string Key, object? Value)[] pairs) =>
        pairs.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => Convert.ToString(p.Value, System.Globalization.CultureInfo.InvariantCulture)!);

    private static (FleetAsset, ExecutionOutcome) GetFile(FleetAsset asset, GetFileParameters p)
    {
        if (asset.File(p.Path!) is not { } file) return Fail(asset, ReasonCodes.FileNotFound, $"No file {p.Path} on {asset.HostName}.");
        if (file.SizeBytes > p.MaxFileSizeMb!.Value * Megabyte)
            return Fail(asset, ReasonCodes.FileTooLarge, $"{p.Path} is {file.SizeBytes} bytes, over the limit of {p.MaxFileSizeMb} MB.");
        return (asset, new Succeeded(Details(("path", file.Path), ("size_bytes", file.SizeBytes), ("sha256", file.Sha256), ("md5", file.Md5),
            ("notice", "The file may contain personal or confidential data.")), Artifact: StandIns.File(asset, file)));
    }

    private static (FleetAsset, ExecutionOutcome) Isolate(FleetAsset asset, IsolateParameters p, ExecutionRequest request, DateTimeOffset now)
    {
        var term = p.IsolationTermSeconds ?? IsolateParameters.DefaultTermSeconds;
        var isolation = new IsolationState(request.ResponseId, request.IncidentId, p.TaskId, p.ExclusionRules ?? [], term, now, now.AddSeconds(term));
        // A new isolation replaces the one in force, which then counts as ended by this response.
        var replaced = asset.Isolation is { ResponseId: { } previous, IncidentId: { } incident } && previous != request.ResponseId
            ? new UndoneResponse(previous, incident, UndoReason.IsolationReplaced)
            : null;
        return (asset with { Isolation = isolation, IsolationEndsAt = isolation.Until },
            new Succeeded(Details(("isolated_until", isolation.Until.ToUnixTimeMilliseconds()), ("exclusion_rules", isolation.ExclusionRules.Count),
                ("task_id", p.TaskId)), replaced));
    }

    private static (FleetAsset, ExecutionOutcome) DisableIsolation(FleetAsset asset)
    {
        if (asset.Isolation is not { } isolation)
            return (asset, new Succeeded(Details(("was_isolated", "false"), ("note", "The asset was not isolated; nothing to lift."))));
        var undone = isolation is { ResponseId: { } id, IncidentId: { } incident } ? new UndoneResponse(id, incident, UndoReason.IsolationDisabled) : null;
        return (asset with { Isolation = null, IsolationEndsAt = null },
            new Succeeded(Details(("was_isolated", "true"), ("note", "Isolation lifted."), ("lifted_task_id", isolation.TaskId)), undone));
    }

    private static (FleetAsset, ExecutionOutcome) DeleteRegistryKey(FleetAsset asset, DeleteRegistryKeyParameters p)
    {
        if (!asset.IsWindows) return Fail(asset, ReasonCodes.UnsupportedPlatform, $"{asset.HostName} runs {asset.Os}: the registry exists on Windows only.");
        var key = asset.Registry.FirstOrDefault(k => SameKey(k.Key, p.Key!));
        if (key is null) return Fail(asset, ReasonCodes.RegistryKeyNotFound, $"No key {p.Key} on {asset.HostName}.");

        if (p.Value is null)
        {
            // The key and everything under it. A link under it goes as a link: its target lives elsewhere and stays.
            var prefix = key.Key + "\\";
            var removed = asset.Registry.Where(k => SameKey(k.Key, key.Key) || k.Key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)).ToList();
            return (asset with { Registry = asset.Registry.Except(removed).ToList() },
                new Succeeded(Details(("deleted_keys", removed.Count), ("deleted_links", removed.Count(k => k.LinkTarget is not null)),
                    ("was_link", key.LinkTarget is not null ? "true" : "false"))));
        }

        var name = p.Value;
        if (!key.Values.ContainsKey(name))
            return Fail(asset, ReasonCodes.RegistryValueNotFound,
                name.Length == 0 ? $"{key.Key} has no default value." : $"{key.Key} has no value named {name}.");
        var values = key.Values.Where(v => v.Key != name).ToDictionary();
        return (asset with { Registry = asset.Registry.Select(k => k == key ? k with { Values = values } : k).ToList() },
            new Succeeded(Details(("deleted_value", name.Length == 0 ? "(default)" : name))));
    }

    private static bool SameKey(string a, string b) => string.Equals(a.TrimEnd('\\'), b.TrimEnd('\\'), StringComparison.OrdinalIgnoreCase);

    private static (FleetAsset, ExecutionOutcome) MemoryDump(FleetAsset asset, MemoryDumpParameters p)
    {
        var limit = p.MaxFileSizeMb ?? MemoryDumpParameters.DefaultMaxFileSizeMb;
        IReadOnlyList<FleetProcess> included;
        if (p.DumpType == MemoryDumpParameters.ProcessDump)
        {
            var wanted = p.Process!;
            var process = asset.Processes.FirstOrDefault(x => x.UniqueId == wanted.UniqueId && asset.SamePath(x.ImagePath, wanted.Image!.Path!));
            if (process is null)
                return Fail(asset, ReasonCodes.ProcessNotFound, $"No process {wanted.UniqueId} running {wanted.Image!.Path} on {asset.HostName}.");
            if (!HashesMatch(wanted.Image!.Sha256, wanted.Image.Md5, process.Sha256, process.Md5))
                return Fail(asset, ReasonCodes.HashMismatch, $"Process {wanted.UniqueId} runs an image whose hash differs from the one given.");
            included = [process];
        }
        else
        {
            // The largest processes first, as many as the limit allows.
            included = asset.Processes.OrderByDescending(x => x.MemoryMb).Take(p.ProcessCountLimit ?? int.MaxValue).ToList();
        }
        var sizeMb = included.Sum(x => x.MemoryMb);
        if (sizeMb > limit) return Fail(asset, ReasonCodes.FileTooLarge, $"The dump would be {sizeMb} MB, over the limit of {limit} MB.");
        return (asset, new Succeeded(Details(("dump_type", p.DumpType), ("processes", included.Count), ("size_mb", sizeMb),
            ("notice", "The dump may contain personal or confidential data.")), Artifact: StandIns.Dump(asset, p.DumpType!, included, sizeMb)));
    }

    private static (FleetAsset, ExecutionOutcome) TerminateProcess(FleetAsset asset, TerminateProcessParameters p)
    {
        if (!asset.IsWindows) return Fail(asset, ReasonCodes.UnsupportedPlatform, $"{asset.HostName} runs {asset.Os}: terminating processes needs the Windows agent.");
        var victims = asset.Processes
            .Where(x => p.Pid is { } pid ? x.Pid == pid : string.Equals(x.ImageName, p.ProcessName, StringComparison.OrdinalIgnoreCase))
            .ToList();
        if (victims.Count == 0)
            return Fail(asset, ReasonCodes.ProcessNotFound, $"No process {(p.Pid is { } id ? $"with PID {id}" : $"named {p.ProcessName}")} on {asset.HostName}.");
        return (asset with { Processes = asset.Processes.Except(victims).ToList() },
            new Succeeded(Details(("terminated_pids", string.Join(",", victims.Select(v => v.Pid))))));
    }

    private static (FleetAsset, ExecutionOutcome) RunScript(FleetAsset asset, RunScriptParameters p)
    {
        if (!asset.IsWindows) return Fail(asset, ReasonCodes.UnsupportedPlatform, $"{asset.HostName} runs {asset.Os}: scripts need the Windows agent.");
        if (!asset.PowerShell) return Fail(asset, ReasonCodes.PowerShellMissing, $"{asset.HostName} lacks the PowerShell component.");
        var lines = p.Script!.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        return (asset, new Succeeded(Details(("exit_code", 0), ("output", $"Ran {lines} line(s) of PowerShell on {asset.HostName}."))));
    }

    private static (FleetAsset, ExecutionOutcome) Quarantine(FleetAsset asset, QuarantineFileParameters p, ExecutionRequest request, DateTimeOffset now)
    {
        if (asset.File(p.Path!) is not { } file) return Fail(asset, ReasonCodes.FileNotFound, $"No file {p.Path} on {asset.HostName}.");
        if (!HashesMatch(p.Sha256, p.Md5, file.Sha256, file.Md5))
            return Fail(asset, ReasonCodes.HashMismatch, $"{file.Path} does not have the hash given; nothing was quarantined.");
        var entry = new QuarantinedFile(request.ResponseId, request.IncidentId, file.Path, file.SizeBytes, file.Sha256, file.Md5, now);
        return (asset with { Files = asset.Files.Where(f => f != file).ToList(), Quarantine = [.. asset.Quarantine, entry] },
            new Succeeded(Details(("quarantined", file.Path), ("sha256", file.Sha256), ("md5", file.Md5))));
    }

    private static (FleetAsset, ExecutionOutcome) Restore(FleetAsset asset, RestoreFromQuarantineParameters p)
    {
        var entry = asset.Quarantine.LastOrDefault(q => asset.SamePath(q.OriginalPath, p.Path!) && HashesMatch(p.Sha256, p.Md5, q.Sha256, q.Md5));
        if (entry is null) return Fail(asset, ReasonCodes.NotInQuarantine, $"No file from {p.Path} in the quarantine of {asset.HostName}.");
        if (asset.File(entry.OriginalPath) is not null)
            return Fail(asset, ReasonCodes.RestoreTargetExists, $"A file named {entry.OriginalPath} is already there; nothing was restored.");
        var undone = entry is { ResponseId: { } id, IncidentId: { } incident } ? new UndoneResponse(id, incident, UndoReason.RestoredFromQuarantine) : null;
        return (asset with
        {
            Files = [.. asset.Files, new FleetFile(entry.OriginalPath, entry.SizeBytes, entry.Sha256, entry.Md5)],
            Quarantine = asset.Quarantine.Where(q => q != entry).ToList(),
        }, new Succeeded(Details(("restored", entry.OriginalPath), ("sha256", entry.Sha256)), undone));
    }

    /// <summary>Every hash given must match; a hash not given is not checked.</summary>
    private static bool HashesMatch(string? sha256, string? md5, string? actualSha256, string? actualMd5) =>
        (sha256 is null || string.Equals(sha256, actualSha256, StringComparison.OrdinalIgnoreCase))
        && (md5 is null || string.Equals(md5, actualMd5, StringComparison.OrdinalIgnoreCase));
}

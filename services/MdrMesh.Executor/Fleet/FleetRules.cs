using MdrMesh.Contracts.Responses;
using MdrMesh.Executor.Executing;

namespace MdrMesh.Executor.Fleet;

/// <summary>What a response does to a simulated asset: pure, so every rule is unit-tested without a database.</summary>
public static class FleetRules
{
    private const long Megabyte = 1024 * 1024;

    public static (FleetAsset? Asset, ExecutionOutcome Outcome) Execute(FleetAsset? asset, ExecutionRequest request, DateTimeOffset now)
    {
        if (asset is null)
            return (null, new Failed(ReasonCodes.AssetNotFound, $"No asset {request.AssetId} in the endpoint fleet."));
        if (!asset.IsReachable)
            return (asset, new Failed(ReasonCodes.AssetUnreachable, $"The asset {asset.HostName} is {asset.Status}."));

        return request.Parameters switch
        {
            GetFileParameters p => GetFile(asset, p),
            IsolateParameters p => (asset with
            {
                Isolated = true,
                IsolationTaskId = p.TaskId,
                IsolationEndsAt = now.AddSeconds(p.IsolationTermSeconds ?? IsolateParameters.DefaultTermSeconds),
            }, new Succeeded(new Dictionary<string, string>
            {
                ["isolated_until"] = now.AddSeconds(p.IsolationTermSeconds ?? IsolateParameters.DefaultTermSeconds).ToUnixTimeMilliseconds().ToString(),
                ["exclusion_rules"] = (p.ExclusionRules?.Count ?? 0).ToString(),
                ["task_id"] = p.TaskId ?? "",
            })),
            DisableIsolationParameters => (asset with { Isolated = false, IsolationTaskId = null, IsolationEndsAt = null },
                new Succeeded(new Dictionary<string, string>
                {
                    ["was_isolated"] = asset.Isolated ? "true" : "false",
                    ["note"] = asset.Isolated ? "Isolation lifted." : "The asset was not isolated; nothing to lift.",
                })),
            _ => (asset, new Failed(ReasonCodes.NotSupported,
                $"The simulated fleet does not carry out {request.Parameters.Type} responses yet.")),
        };
    }

    private static (FleetAsset, ExecutionOutcome) GetFile(FleetAsset asset, GetFileParameters p)
    {
        if (!asset.Files.TryGetValue(p.Path!, out var file))
            return (asset, new Failed(ReasonCodes.FileNotFound, $"No file {p.Path} on {asset.HostName}."));
        if (file.SizeBytes > p.MaxFileSizeMb!.Value * Megabyte)
            return (asset, new Failed(ReasonCodes.FileTooLarge,
                $"{p.Path} is {file.SizeBytes} bytes, over the limit of {p.MaxFileSizeMb} MB."));
        return (asset, new Succeeded(new Dictionary<string, string>
        {
            ["path"] = p.Path!, ["size_bytes"] = file.SizeBytes.ToString(), ["sha256"] = file.Sha256, ["md5"] = file.Md5,
            ["notice"] = "The file may contain personal or confidential data.",
        }));
    }
}

namespace MdrMesh.Executor.Executing;

/// <summary>Configuration section <c>Executor</c>.</summary>
public sealed class ExecutorOptions
{
    /// <summary>How long a response waits for an offline or absent asset before it fails with ASSET_UNREACHABLE.</summary>
    public TimeSpan AssetWaitLimit { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often waiting responses and ending isolations are looked at.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A fleet file (JSON array of assets, as assets/register takes them) loaded at start.</summary>
    public string? FleetFile { get; set; }
}

namespace MdrMesh.Executor.Executing;

/// <summary>
/// Why an execution failed: stable codes, shown in history (<c>details.reason_code</c>) with a
/// message for people (<c>details.reason</c>). This is the one list; add to it, never rename.
/// </summary>
public static class ReasonCodes
{
    /// <summary>The asset is not known to the endpoint fleet.</summary>
    public const string AssetNotFound = "ASSET_NOT_FOUND";

    /// <summary>The asset stayed offline or absent for longer than the executor waits (Executor:AssetWaitLimit).</summary>
    public const string AssetUnreachable = "ASSET_UNREACHABLE";

    /// <summary>No file at the given path.</summary>
    public const string FileNotFound = "FILE_NOT_FOUND";

    /// <summary>The file, or the zipped memory dump, is larger than max_file_size_mb.</summary>
    public const string FileTooLarge = "FILE_TOO_LARGE";

    /// <summary>The file or process on the asset does not have the hash the request names; nothing was done.</summary>
    public const string HashMismatch = "HASH_MISMATCH";

    /// <summary>No such registry key.</summary>
    public const string RegistryKeyNotFound = "REGISTRY_KEY_NOT_FOUND";

    /// <summary>The key exists, but not the named value (or it has no default value).</summary>
    public const string RegistryValueNotFound = "REGISTRY_VALUE_NOT_FOUND";

    /// <summary>No process with that name, PID or unique id.</summary>
    public const string ProcessNotFound = "PROCESS_NOT_FOUND";

    /// <summary>The response needs the Windows endpoint agent (terminate process, run script, registry).</summary>
    public const string UnsupportedPlatform = "UNSUPPORTED_PLATFORM";

    /// <summary>Run script needs the PowerShell component, which the asset lacks.</summary>
    public const string PowerShellMissing = "POWERSHELL_MISSING";

    /// <summary>No file from that path in the asset's quarantine.</summary>
    public const string NotInQuarantine = "NOT_IN_QUARANTINE";

    /// <summary>A file of the same name is already at the original place; nothing was restored.</summary>
    public const string RestoreTargetExists = "RESTORE_TARGET_EXISTS";

    /// <summary>The adapter cannot carry out this response type.</summary>
    public const string NotSupported = "NOT_SUPPORTED";
}

namespace MdrMesh.Executor.Executing;

/// <summary>
/// Why an execution failed: stable codes, shown in history with the message. This is the one
/// list; add to it, never rename.
/// </summary>
public static class ReasonCodes
{
    /// <summary>The asset is not known to the endpoint fleet.</summary>
    public const string AssetNotFound = "ASSET_NOT_FOUND";

    /// <summary>The asset is offline or absent.</summary>
    public const string AssetUnreachable = "ASSET_UNREACHABLE";

    /// <summary>The file to get is larger than max_file_size_mb.</summary>
    public const string FileTooLarge = "FILE_TOO_LARGE";

    /// <summary>No file at the given path.</summary>
    public const string FileNotFound = "FILE_NOT_FOUND";

    /// <summary>The adapter cannot carry out this response type.</summary>
    public const string NotSupported = "NOT_SUPPORTED";

    /// <summary>The endpoint reported an error the adapter could not classify.</summary>
    public const string EndpointError = "ENDPOINT_ERROR";
}

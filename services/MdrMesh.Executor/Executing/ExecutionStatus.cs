namespace MdrMesh.Executor.Executing;

/// <summary>Where a response's execution stands: started, maybe waiting for its asset, then succeeded or failed once.</summary>
public enum ExecutionStatus { Started, Waiting, Succeeded, Failed }

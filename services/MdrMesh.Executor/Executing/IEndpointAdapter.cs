using Marten;
using MdrMesh.Contracts.Responses;

namespace MdrMesh.Executor.Executing;

/// <summary>One accepted response to carry out on one asset.</summary>
public sealed record ExecutionRequest(Guid ResponseId, string TenantId, Guid IncidentId, string AssetId, ResponseParameters Parameters);

public abstract record ExecutionOutcome;

/// <summary>
/// Done; <see cref="Details"/> is what the endpoint reported (sizes, hashes, output …).
/// <see cref="Undid"/> names an earlier response whose effect this one ended; <see cref="Artifact"/> is what it collected.
/// </summary>
public sealed record Succeeded(IReadOnlyDictionary<string, string> Details, UndoneResponse? Undid = null,
    MdrMesh.Contracts.Messages.ResponseArtifact? Artifact = null) : ExecutionOutcome;

/// <summary>Not done; <see cref="ReasonCode"/> is one of <see cref="ReasonCodes"/>.</summary>
public sealed record Failed(string ReasonCode, string Message) : ExecutionOutcome;

/// <summary>The asset cannot be reached now; the executor waits for it, up to its limit.</summary>
public sealed record Unreachable(string Message) : ExecutionOutcome;

/// <summary>An earlier response whose effect was undone, and why (a <c>UndoReason</c>).</summary>
public sealed record UndoneResponse(Guid ResponseId, Guid IncidentId, string Reason);

/// <summary>
/// The port to the endpoints. The shipped adapter is the simulated fleet; a real EDR adapter
/// implements the same interface. An adapter keeping state in the executor's store writes through
/// <paramref name="session"/>, so its effect commits together with the recorded outcome, once;
/// a remote adapter ignores it and must treat the response id as an idempotency key.
/// </summary>
public interface IEndpointAdapter
{
    Task<ExecutionOutcome> ExecuteAsync(ExecutionRequest request, IDocumentSession session, CancellationToken ct);
}

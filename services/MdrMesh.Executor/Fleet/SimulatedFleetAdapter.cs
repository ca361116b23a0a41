using Marten;
using MdrMesh.Executor.Executing;

namespace MdrMesh.Executor.Fleet;

/// <summary>The shipped endpoint adapter: assets are documents in the executor's store, changed in the outcome's commit.</summary>
public sealed class SimulatedFleetAdapter(TimeProvider clock) : IEndpointAdapter
{
    public async Task<ExecutionOutcome> ExecuteAsync(ExecutionRequest request, IDocumentSession session, CancellationToken ct)
    {
        var asset = await session.LoadAsync<FleetAsset>(request.AssetId, ct);
        var (changed, outcome) = FleetRules.Execute(asset, request, clock.GetUtcNow());
        if (changed is not null && !ReferenceEquals(changed, asset)) session.Store(changed);
        return outcome;
    }
}

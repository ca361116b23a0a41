using Marten;
using MassTransit;
using MdrMesh.ServiceDefaults;
using Messages = MdrMesh.Contracts.Messages;

namespace MdrMesh.Approvals.AssetGrouping;

/// <summary>Keeps each asset's latest profile, which the proposal consumer reads to know the asset's groups.</summary>
public sealed class AssetProfiledConsumer(IDocumentStore store) : IConsumer<Messages.AssetProfiled>
{
    public async Task Consume(ConsumeContext<Messages.AssetProfiled> context)
    {
        var profiled = context.Message;
        var ct = context.CancellationToken;
        // Two profiles of one asset at once: the insert's key or the update's version check makes the later writer look again.
        await store.WriteAsync(profiled.TenantId, async session =>
        {
            var kept = await session.LoadAsync<AssetProfile>(profiled.AssetId, ct);
            if (!AssetProfile.Supersedes(profiled, kept)) return false;
            if (kept is null) session.Insert(AssetProfile.Of(profiled));
            else session.Update(AssetProfile.Of(profiled));
            return true;
        }, ct);
    }
}

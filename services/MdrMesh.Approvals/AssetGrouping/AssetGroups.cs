using System.Collections.Frozen;
using MdrMesh.Approvals.AutoAcceptPolicy;

namespace MdrMesh.Approvals.AssetGrouping;

/// <summary>
/// A tenant's asset groups: one stream in the tenant's scope (names are unique across it, so one stream decides them),
/// and this document (inline snapshot) that lists read and the proposal consumer loads in its one batch.
/// </summary>
public sealed record AssetGroups
{
    /// <summary>At most this many groups per tenant: each proposal tests its asset against every one.</summary>
    public const int MaxGroups = 100;

    public const int MaxName = 128;

    public Guid Id { get; init; }
    public string TenantId { get; init; } = "";
    public IReadOnlyList<AssetGroup> Groups { get; init; } = [];

    /// <summary>The stream id of a tenant's groups, derived from the tenant (and apart from its rules' and switch's).</summary>
    public static Guid StreamIdOf(string tenantId) => NameBasedId.Of($"mdrmesh/asset-groups/{tenantId}");

    public AssetGroup? Find(string groupId) => Groups.FirstOrDefault(g => g.GroupId == groupId);

    /// <summary>The ids of the groups that hold the asset; none for an asset not profiled yet.</summary>
    public IReadOnlySet<string> MembershipOf(AssetProfile? asset) =>
        asset is null ? FrozenSet<string>.Empty : Groups.Where(g => g.Filter.Contains(asset)).Select(g => g.GroupId).ToFrozenSet();

    public static AssetGroups Create(AssetGroupCreated e) => new AssetGroups { Id = StreamIdOf(e.TenantId), TenantId = e.TenantId }.Apply(e);

    public AssetGroups Apply(AssetGroupCreated e) => this with { Groups = [.. Groups, new AssetGroup(e.GroupId, e.Name, e.Filter, e.Critical, e.At, e.By)] };

    public AssetGroups Apply(AssetGroupUpdated e) => this with
    {
        Groups = Groups.Select(g => g.GroupId == e.GroupId ? new AssetGroup(e.GroupId, e.Name, e.Filter, e.Critical, e.At, e.By) : g).ToList(),
    };

    public AssetGroups Apply(AssetGroupDeleted e) => this with { Groups = Groups.Where(g => g.GroupId != e.GroupId).ToList() };

    /// <summary>
    /// The events a change of the tenant's groups leads to. Refused: a name another group has (ignoring case), more than
    /// <see cref="MaxGroups"/>, a group a rule names deleted (409s), a group the tenant does not have (404).
    /// A group changed to what it is decides nothing.
    /// </summary>
    public static IReadOnlyList<object> Decide(IAssetGroupCommand command, AssetGroups? groups)
    {
        var current = groups?.Groups ?? [];
        bool Taken(string name, string? except) =>
            current.Any(g => g.GroupId != except && string.Equals(g.Name, name, StringComparison.OrdinalIgnoreCase));

        switch (command)
        {
            case CreateAssetGroup c:
                if (current.Count >= MaxGroups) throw new TooManyAssetGroups();
                if (Taken(c.Name, null)) throw new AssetGroupNameTaken(c.Name);
                return [new AssetGroupCreated(c.TenantId, c.GroupId, c.Name, c.Filter, c.Critical, c.At, c.By, c.ById)];
            case UpdateAssetGroup u:
            {
                var group = groups?.Find(u.GroupId) ?? throw new AssetGroupNotFound();
                var (name, filter, critical) = (u.Name ?? group.Name, u.Filter ?? group.Filter, u.Critical ?? group.Critical);
                if (Taken(name, u.GroupId)) throw new AssetGroupNameTaken(name);
                if (name == group.Name && filter.SameAs(group.Filter) && critical == group.Critical) return [];
                return [new AssetGroupUpdated(u.TenantId, u.GroupId, name, filter, critical, u.At, u.By, u.ById)];
            }
            case DeleteAssetGroup d:
            {
                var group = groups?.Find(d.GroupId) ?? throw new AssetGroupNotFound();
                for (var i = 0; i < d.Rules.Count; i++)
                    if (d.Rules[i].AssetGroups.Contains(d.GroupId))
                        throw new AssetGroupInUse(group.Name, i + 1, d.Rules[i].Name);
                return [new AssetGroupDeleted(d.TenantId, d.GroupId, group.Name, d.At, d.By, d.ById)];
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "No decision for this command.");
        }
    }

    /// <summary>The decider's fold: the same steps as Create/Apply, which Marten's inline snapshot calls.</summary>
    // Ignored by Marten's source generator, which otherwise takes a method named Evolve for the snapshot's own (one-argument) fold.
    [JasperFx.Core.JasperFxIgnore]
    public static AssetGroups? Evolve(AssetGroups? groups, object e) => (groups, e) switch
    {
        (null, AssetGroupCreated x) => Create(x),
        (not null, AssetGroupCreated x) => groups.Apply(x),
        (not null, AssetGroupUpdated x) => groups.Apply(x),
        (not null, AssetGroupDeleted x) => groups.Apply(x),
        _ => groups,
    };
}

using System.Security.Cryptography;
using System.Text;
using Marten;
using MdrMesh.Executor.Fleet;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Executor.Assets;

/// <summary>An asset's profile as the other services learn it (host name, domain, OS family, tags), announced when it changed.</summary>
public sealed record AssetProfiled(string TenantId, string AssetId, string HostName, string? Domain, string Os, IReadOnlyList<string> Tags,
    DateTimeOffset At);

/// <summary>An asset as it was just stored (registered or loaded from the fleet file): its profile is announced unless already known.</summary>
public sealed record AnnounceProfile(string TenantId, FleetAsset Asset, DateTimeOffset Now);

/// <summary>
/// The profile last announced for one asset: a stream per asset (its events are what the relay publishes, in the
/// same commit as the asset's change) and this document (inline snapshot), which tells whether a profile is news.
/// </summary>
public sealed record AnnouncedProfile
{
    public Guid Id { get; init; }
    public string AssetId { get; init; } = "";
    public string HostName { get; init; } = "";
    public string? Domain { get; init; }
    public string Os { get; init; } = "";
    public IReadOnlyList<string> Tags { get; init; } = [];
    public DateTimeOffset At { get; init; }

    /// <summary>The stream of an asset's profile, derived from its tenant and id.</summary>
    public static Guid StreamIdOf(string tenantId, string assetId) =>
        new(MD5.HashData(Encoding.UTF8.GetBytes($"mdrmesh/asset-profile/{tenantId}\n{assetId}")));

    public static AnnouncedProfile Create(AssetProfiled e) => new AnnouncedProfile { Id = StreamIdOf(e.TenantId, e.AssetId), AssetId = e.AssetId }.Apply(e);

    public AnnouncedProfile Apply(AssetProfiled e) => this with { HostName = e.HostName, Domain = e.Domain, Os = e.Os, Tags = e.Tags, At = e.At };

    private bool Describes(FleetAsset a) => HostName == a.HostName && Domain == a.Domain && Os == a.Os && Tags.SequenceEqual(a.Tags);

    /// <summary>
    /// A profile is announced when the asset is new to the stream or its profile differs from the last announced: the
    /// fleet file, loaded at every start, announces nothing when nothing changed.
    /// </summary>
    public static IReadOnlyList<object> Decide(AnnounceProfile command, AnnouncedProfile? announced)
    {
        var a = command.Asset;
        return announced?.Describes(a) == true ? [] : [new AssetProfiled(command.TenantId, a.Id, a.HostName, a.Domain, a.Os, a.Tags, command.Now)];
    }

    // Ignored by Marten's source generator, which otherwise takes a method named Evolve for the snapshot's own (one-argument) fold.
    [JasperFx.Core.JasperFxIgnore]
    public static AnnouncedProfile? Evolve(AnnouncedProfile? current, object e) => e switch
    {
        AssetProfiled p => current?.Apply(p) ?? Create(p),
        _ => current,
    };

    /// <summary>Appends the asset's profile to its stream in <paramref name="session"/>'s commit, if it is news.</summary>
    public static async Task AnnounceAsync(IDocumentSession session, string tenantId, FleetAsset asset, DateTimeOffset now, CancellationToken ct) =>
        (await session.Events.FetchForWriting<AnnouncedProfile>(StreamIdOf(tenantId, asset.Id), ct)).Decide(new AnnounceProfile(tenantId, asset, now),
            Decide, Evolve);
}

namespace MdrMesh.Approvals.AssetGrouping;

/// <summary>A tenant's asset group created, by connection <see cref="ById"/>.</summary>
public sealed record AssetGroupCreated(string TenantId, string GroupId, string Name, AssetGroupFilter Filter, bool Critical, DateTimeOffset At, string By,
    string ById);

/// <summary>An asset group changed: its name, filter and critical mark after the change.</summary>
public sealed record AssetGroupUpdated(string TenantId, string GroupId, string Name, AssetGroupFilter Filter, bool Critical, DateTimeOffset At, string By,
    string ById);

/// <summary>An asset group deleted (its name kept for whoever reads the history).</summary>
public sealed record AssetGroupDeleted(string TenantId, string GroupId, string Name, DateTimeOffset At, string By, string ById);

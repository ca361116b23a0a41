namespace MdrMesh.Approvals.AssetGrouping;

/// <summary>
/// A tenant's saved asset filter, which auto-accept rules name by <see cref="GroupId"/>. <see cref="Critical"/> marks
/// assets whose automatic handling deserves a warning; who changed it last, and when, beside it.
/// </summary>
public sealed record AssetGroup(string GroupId, string Name, AssetGroupFilter Filter, bool Critical, DateTimeOffset ChangedAt, string ChangedBy);

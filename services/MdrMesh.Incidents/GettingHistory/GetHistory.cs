using System.Text.Json;
using Marten;
using MdrMesh.Incidents.GettingIncidents;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Incidents.GettingHistory;

/// <summary><c>incidents/history</c>: <c>incident_id</c>, <c>min_record_time</c>, <c>max_record_time</c>, <c>page</c>, <c>page_size</c>.</summary>
public sealed record HistoryRequest(Guid? IncidentId, long? MinRecordTime, long? MaxRecordTime, int? Page, int? PageSize);

public static class GetHistory
{
    public static async Task<IResult> Handle(HistoryRequest request, Caller caller, IncidentStore incidents, IDocumentStore store,
        CancellationToken ct)
    {
        if (request.IncidentId is null) return ApiProblems.BadRequest("incident_id", "is required");
        var incident = await incidents.FindAsync(request.IncidentId.Value, caller, ct);
        if (incident is null) return ApiProblems.NotFound("The incident");

        await using var query = store.QuerySession(incident.TenantId);
        var records = await query.Query<IncidentHistoryRecord>()
            .Where(r => r.IncidentId == incident.Id)
            .OrderBy(r => r.Version)
            .ToListAsync(ct);
        var shown = records
            .Where(r => request.MinRecordTime is null || r.ChangedAt.ToUnixMs() >= request.MinRecordTime)
            .Where(r => request.MaxRecordTime is null || r.ChangedAt.ToUnixMs() <= request.MaxRecordTime)
            .Select(r => new
            {
                changed_at = r.ChangedAt.ToUnixMs(),
                changed_by = r.ChangedBy,
                changed_by_id = r.ChangedById,
                operation = r.Operation,
                entity = new Dictionary<string, JsonElement> { [r.EntityType] = JsonDocument.Parse(r.Snapshot).RootElement },
                changes = r.Changes.Select(c => new { field = c.Field, before = c.Before, after = c.After }),
            });
        return Results.Ok(Paging.Page(shown, request.Page, request.PageSize));
    }
}

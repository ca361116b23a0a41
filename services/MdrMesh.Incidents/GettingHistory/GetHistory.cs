using System.Text.Json;
using Marten;
using MdrMesh.Incidents.GettingIncidents;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Incidents.GettingHistory;

/// <summary>
/// <c>incidents/history</c>: <c>incident_id</c>, <c>min_record_time</c>, <c>max_record_time</c>, <c>page</c>, <c>page_size</c>;
/// <c>ignore_self</c> leaves out the caller's own changes (an integration polling for what others did).
/// </summary>
public sealed record HistoryRequest(string? IncidentId, long? MinRecordTime, long? MaxRecordTime, int? Page, int? PageSize, bool? IgnoreSelf);

public static class GetHistory
{
    public static async Task<IResult> Handle(HistoryRequest request, Caller caller, IncidentStore incidents, IDocumentStore store,
        CancellationToken ct)
    {
        if (request.IncidentId is null) return ApiProblems.BadRequest("incident_id", "is required");
        var incident = await incidents.FindAsync(request.IncidentId, caller, ct);
        if (incident is null) return ApiProblems.NotFound("The incident");

        // History is the incident's events, described as they are read: a page replays the stream up to its end. Without
        // filters the page ends at a known version, so no event past it is even fetched.
        var from = ApiJson.FromUnixMs(request.MinRecordTime);
        var past = ApiJson.PastUnixMs(request.MaxRecordTime);
        var ignoreSelf = request.IgnoreSelf == true;
        var (skip, take) = Paging.Window(request.Page, request.PageSize);
        var filtered = from is not null || past is not null || ignoreSelf;
        await using var query = store.QuerySession(incident.TenantId);
        var events = await query.Events.FetchStreamAsync(incident.Id, version: filtered ? 0 : (long)skip + take, token: ct);
        var page = IncidentHistory.Page(events.Select(e => ((IIncidentEvent)e.Data, e.Version)),
            e => (from is null || e.At >= from) && (past is null || e.At < past) && !(ignoreSelf && e.ById == caller.Id), skip, take);
        var shown = page.Select(r => new HistoryRecordView(r.ChangedAt.ToUnixMs(), r.ChangedBy, r.ChangedById, r.Operation,
            new Dictionary<string, JsonElement> { [r.EntityType] = JsonDocument.Parse(r.Snapshot).RootElement },
            r.Changes.Select(c => new FieldChangeView(c.Field, c.Before, c.After)).ToList()));
        return Results.Ok(shown.ToList());
    }
}

/// <summary>A history record: who changed what when; <c>entity</c> holds the changed object under its kind (e.g. <c>incident_response</c>).</summary>
public sealed record HistoryRecordView(long ChangedAt, string ChangedBy, string? ChangedById, string Operation,
    IReadOnlyDictionary<string, JsonElement> Entity, IReadOnlyList<FieldChangeView> Changes);

public sealed record FieldChangeView(string Field, JsonElement? Before, JsonElement? After);

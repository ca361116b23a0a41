using Marten;
using Marten.Linq.MatchesSql;
using MassTransit;
using MdrMesh.Incidents.ProposingResponse;
using MdrMesh.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace MdrMesh.Incidents.DrivingStalledResponses;

/// <summary><c>StalledResponses</c> settings: how long a response may stand still, and how often to look.</summary>
public sealed class StallOptions
{
    public TimeSpan After { get; set; } = TimeSpan.FromMinutes(10);
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// The net behind the retries: a response standing in New, Confirmed or InProgress for <see cref="StallOptions.After"/>
/// (a message sent to an error queue, an outage longer than the retries) is driven again from the event store. Its
/// proposal is announced again under its first message id; approvals decides it if it never heard of it, or announces
/// again what it recorded (its decision, the execution it asked for); the executor runs an execution it never started
/// or announces its recorded outcome. Every step is idempotent, so a response that is merely waiting (for a person, for
/// an offline asset) costs a message; it is driven again after twice the previous wait, up to a day apart.
/// Every instance sweeps on its own: a response driven twice at once is still decided and run once.
/// </summary>
public sealed class StalledResponses(IDocumentStore store, IBus bus, IMessageMap messages, TimeProvider clock, IOptions<StallOptions> options,
    ILogger<StalledResponses> log) : Sweeper(log)
{
    private static readonly TimeSpan LongestGap = TimeSpan.FromDays(1);
    private static readonly ResponseStatus[] Moving = [ResponseStatus.New, ResponseStatus.Confirmed, ResponseStatus.InProgress];
    private static readonly string[] MovingNames = [.. Moving.Select(s => s.ToString())];

    // When each stalled response was last driven by this instance, and the wait before the next time.
    private readonly Dictionary<Guid, (DateTimeOffset At, TimeSpan Gap)> _driven = [];

    protected override TimeSpan Interval => options.Value.SweepInterval;

    protected override async Task SweepAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var after = options.Value.After;
        IReadOnlyList<Incident> incidents;
        await using (var query = store.QuerySession())
        {
            // Only incidents with a response standing still that long: the index narrows to moving statuses, the
            // condition to the responses among them not updated since.
            incidents = await IncidentIndex.AnyContains(query.Query<Incident>().Where(i => i.AnyTenant()), IncidentIndex.ResponseStatuses.Sql, MovingNames)
                .Where(i => i.MatchesSql("exists (select 1 from jsonb_array_elements(d.data -> 'Responses') r"
                                         + " where r ->> 'Status' = any(?) and (r ->> 'UpdatedAt')::timestamptz <= ?)", MovingNames, now - after))
                .ToListAsync(ct);
        }

        var stalled = incidents
            .SelectMany(i => i.Responses.Where(r => Moving.Contains(r.Status) && now - r.UpdatedAt >= after).Select(r => (Incident: i, Response: r)))
            .ToList();
        foreach (var gone in _driven.Keys.Except(stalled.Select(s => s.Response.ResponseId)).ToList()) _driven.Remove(gone);

        var due = stalled.Where(s => !_driven.TryGetValue(s.Response.ResponseId, out var last) || now - last.At >= last.Gap).ToList();
        foreach (var incident in due.GroupBy(s => s.Incident))
        {
            try
            {
                await DriveAsync(incident.Key, incident.Select(s => s.Response).ToList(), ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.LogWarning(ex, "Driving the stalled responses of incident {IncidentId} failed; the next sweep retries", incident.Key.Id);
                continue;
            }
            foreach (var (_, response) in incident)
            {
                _driven[response.ResponseId] = _driven.TryGetValue(response.ResponseId, out var last)
                    ? (now, last.Gap * 2 < LongestGap ? last.Gap * 2 : LongestGap)
                    : (now, after);
                ResponseMetrics.Redriven(response.Parameters.Type, response.Status.ToString());
                // Waiting for a person is normal; an accepted response standing still is not.
                log.Log(response.Status == ResponseStatus.New ? LogLevel.Information : LogLevel.Warning,
                    "Response {ResponseId} of incident {IncidentId} stood in {Status} since {UpdatedAt:O}; driven again",
                    response.ResponseId, incident.Key.Id, response.Status, response.UpdatedAt);
            }
        }
    }

    /// <summary>Announces the responses' proposals again, as the relay first did (same message, same id).</summary>
    private async Task DriveAsync(Incident incident, IReadOnlyList<IncidentResponse> responses, CancellationToken ct)
    {
        await using var query = store.QuerySession(incident.TenantId);
        var ids = responses.Select(r => r.ResponseId).ToHashSet();
        foreach (var proposed in await query.Events.FetchStreamAsync(incident.Id, token: ct))
        {
            if (proposed.Data is not ResponseProposed p || !ids.Contains(p.ResponseId)) continue;
            foreach (var announced in messages.Announce(proposed)) await bus.PublishAsync(announced, ct);
        }
    }
}

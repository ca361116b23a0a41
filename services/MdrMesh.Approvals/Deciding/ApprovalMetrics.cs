using MdrMesh.ServiceDefaults;

namespace MdrMesh.Approvals.Deciding;

/// <summary>Counts the decisions a commit recorded, with how long each response waited for it, and the blast-radius guard's holds.</summary>
public static class ApprovalMetrics
{
    // By type only: a tenant label would grow with the tenants.
    private static readonly System.Diagnostics.Metrics.Counter<long> GuardHolds = Telemetry.Meter.CreateCounter<long>(
        "mdrmesh.auto_accept.guard_holds", "{response}", "Automatic acceptances the blast-radius guard held for a person, by type.");

    /// <summary><paramref name="before"/>: the decision the events were appended to (null when they open its stream).</summary>
    public static void Committed(Decision? before, IEnumerable<object> events)
    {
        var decision = before;
        foreach (var e in events)
        {
            switch (e)
            {
                case ResponseProposed requested:
                    decision = Decision.Create(requested);
                    break;
                case ResponseAccepted confirmed when decision is not null:
                    ResponseMetrics.Decided(decision.Parameters.Type, null, confirmed.AutoAccepted is null ? "manual" : "auto",
                        confirmed.At - decision.ProposedAt);
                    break;
                case AutoAcceptanceHeld when decision is not null:
                    GuardHolds.Add(1, new KeyValuePair<string, object?>("type", decision.Parameters.Type));
                    break;
                case ResponseRejected declined when decision is not null:
                    ResponseMetrics.Decided(decision.Parameters.Type, declined.Reason, declined.ById is null ? "system" : "manual",
                        declined.At - decision.ProposedAt);
                    break;
            }
        }
    }
}

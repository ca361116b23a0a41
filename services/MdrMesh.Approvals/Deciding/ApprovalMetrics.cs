using MdrMesh.ServiceDefaults;

namespace MdrMesh.Approvals.Deciding;

/// <summary>Counts the decisions a commit recorded, with how long each response waited for it.</summary>
public static class ApprovalMetrics
{
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
                case ResponseRejected declined when decision is not null:
                    ResponseMetrics.Decided(decision.Parameters.Type, declined.Reason, declined.ById is null ? "system" : "manual",
                        declined.At - decision.ProposedAt);
                    break;
            }
        }
    }
}

using MdrMesh.Incidents.ProposingResponse;
using MdrMesh.Incidents.RecordingResponseProgress;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Incidents;

/// <summary>Counts what a commit recorded: proposals, and terminal statuses with the time since their proposal.</summary>
public static class IncidentMetrics
{
    public static void Committed(Incident incident, IEnumerable<IIncidentEvent> events)
    {
        foreach (var e in events)
        {
            switch (e)
            {
                case ResponseProposed added:
                    ResponseMetrics.Proposed(added.Parameters.Type);
                    break;
                case ResponseExecuted completed when incident.Response(completed.ResponseId) is { } response:
                    ResponseMetrics.Finished(response.Parameters.Type, null, completed.At - response.CreatedAt);
                    break;
                case ResponseFailed failed when incident.Response(failed.ResponseId) is { } response:
                    ResponseMetrics.Finished(response.Parameters.Type, failed.ReasonCode, failed.At - response.CreatedAt);
                    break;
            }
        }
    }
}

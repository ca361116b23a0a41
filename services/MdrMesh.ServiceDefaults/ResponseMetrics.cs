using System.Diagnostics.Metrics;

namespace MdrMesh.ServiceDefaults;

/// <summary>
/// The domain's own metrics, recorded where the fact is committed (so a retried or redelivered
/// message counts once): proposals and outcomes by the incidents service, decisions by the
/// approvals service. Prometheus names: <c>mdrmesh_responses_proposed_total</c>,
/// <c>mdrmesh_responses_decision_wait_seconds_bucket</c> and so on. Every tag has a bounded set of values.
/// </summary>
public static class ResponseMetrics
{
    // Decisions can wait for hours; executions take milliseconds to minutes.
    private static readonly double[] Seconds = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14400, 86400];

    private static readonly Counter<long> ProposedCount = Telemetry.Meter.CreateCounter<long>(
        "mdrmesh.responses.proposed", "{response}", "Responses proposed, by type.");
    private static readonly Counter<long> AcceptedCount = Telemetry.Meter.CreateCounter<long>(
        "mdrmesh.responses.accepted", "{response}", "Responses accepted, by type and by whom (manual: a person; auto: the auto-accept setting).");
    private static readonly Counter<long> DeclinedCount = Telemetry.Meter.CreateCounter<long>(
        "mdrmesh.responses.declined", "{response}", "Responses declined, by type and reason (DECLINED, DEADLINE_PASSED, INCIDENT_CLOSED).");
    private static readonly Counter<long> CompletedCount = Telemetry.Meter.CreateCounter<long>(
        "mdrmesh.responses.completed", "{response}", "Responses completed on their asset, by type.");
    private static readonly Counter<long> FailedCount = Telemetry.Meter.CreateCounter<long>(
        "mdrmesh.responses.failed", "{response}", "Responses that failed, by type and reason code.");
    private static readonly Counter<long> RedrivenCount = Telemetry.Meter.CreateCounter<long>(
        "mdrmesh.responses.redriven", "{response}", "Responses driven again after standing still, by type and the status they stood in.");
    private static readonly Histogram<double> DecisionWait = Telemetry.Meter.CreateHistogram(
        "mdrmesh.responses.decision_wait", "s", "From proposal to decision, by type and by whom (manual, auto, system).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Seconds });
    private static readonly Histogram<double> ProposalToTerminal = Telemetry.Meter.CreateHistogram(
        "mdrmesh.responses.proposal_to_terminal", "s", "From proposal to Completed or Failed, by type and status.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Seconds });

    public static void Redriven(string type, string status) =>
        RedrivenCount.Add(1, new KeyValuePair<string, object?>("type", type), new KeyValuePair<string, object?>("status", status));

    public static void Proposed(string type) => ProposedCount.Add(1, new KeyValuePair<string, object?>("type", type));

    /// <summary>A decision: <paramref name="declineReason"/> null for an acceptance; <paramref name="by"/> is manual, auto or system.</summary>
    public static void Decided(string type, string? declineReason, string by, TimeSpan wait)
    {
        var typeTag = new KeyValuePair<string, object?>("type", type);
        if (declineReason is null) AcceptedCount.Add(1, typeTag, new KeyValuePair<string, object?>("by", by));
        else DeclinedCount.Add(1, typeTag, new KeyValuePair<string, object?>("reason", declineReason));
        DecisionWait.Record(Math.Max(0, wait.TotalSeconds), typeTag, new KeyValuePair<string, object?>("by", by));
    }

    /// <summary>A terminal status: <paramref name="failureReason"/> null for Completed.</summary>
    public static void Finished(string type, string? failureReason, TimeSpan sinceProposal)
    {
        var typeTag = new KeyValuePair<string, object?>("type", type);
        if (failureReason is null) CompletedCount.Add(1, typeTag);
        else FailedCount.Add(1, typeTag, new KeyValuePair<string, object?>("reason_code", failureReason));
        ProposalToTerminal.Record(Math.Max(0, sinceProposal.TotalSeconds), typeTag,
            new KeyValuePair<string, object?>("status", failureReason is null ? "Completed" : "Failed"));
    }
}

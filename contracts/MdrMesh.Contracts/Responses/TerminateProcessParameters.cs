using System.Text.Json.Serialization;
using MdrMesh.Contracts.Validation;

namespace MdrMesh.Contracts.Responses;

/// <summary>Ends a process named by its image name or by PID (exactly one). Windows endpoints only.</summary>
public sealed record TerminateProcessParameters(
    [property: JsonPropertyName("process_name")] string? ProcessName = null,
    [property: JsonPropertyName("pid")] long? Pid = null) : ResponseParameters
{
    public override void Validate(Check at)
    {
        if ((ProcessName is null) == (Pid is null))
        {
            at.Field(ProcessName is null ? "process_name" : "pid").Fail("exactly one of process_name and pid must be given");
            return;
        }
        at.Field("process_name").NonEmpty(ProcessName, 260, required: false);
        at.Field("pid").InRange(Pid, 1, uint.MaxValue, required: false);
    }
}

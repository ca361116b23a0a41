using System.Text.Json;
using System.Text.Json.Serialization;

namespace MdrMesh.Contracts.Responses;

/// <summary>JSON settings for response parameters on the wire.</summary>
public static class ResponseJson
{
    /// <summary>For what MdrMesh writes and reads back: absent fields stay absent.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        AllowOutOfOrderMetadataProperties = true,
    };

    /// <summary>For callers' input: a field the type does not have is an error, not silently dropped.</summary>
    public static readonly JsonSerializerOptions StrictInput = new(Options)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };
}

using System.Text.Json;
using System.Text.Json.Serialization;
using MdrMesh.Contracts.Responses;

namespace MdrMesh.ServiceDefaults;

/// <summary>The MDR dialect on the wire: snake_case fields, times as Unix milliseconds (converted by the views).</summary>
public static class ApiJson
{
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.AllowOutOfOrderMetadataProperties = ResponseJson.Options.AllowOutOfOrderMetadataProperties;
        options.Converters.Add(new JsonStringEnumConverter());
        // Deeper bodies are refused (400) before they cost anything to walk.
        options.MaxDepth = MaxDepth;
    }

    public const int MaxDepth = 32;

    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(options);
        return options;
    }

    public static long ToUnixMs(this DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    // A stored time (it has microseconds) is within millisecond bounds when at or after `min`, and before `max` + 1 ms.
    // Bounds beyond what a timestamp holds are clamped rather than refused: they still mean "before" or "after everything".
    private static readonly long MinMs = DateTimeOffset.MinValue.ToUnixTimeMilliseconds(), MaxMs = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    /// <summary>The earliest time a <c>min_*_time</c> bound admits.</summary>
    public static DateTimeOffset? FromUnixMs(long? min) => min is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(ms, MinMs, MaxMs)) : null;

    /// <summary>The first time past what a <c>max_*_time</c> bound admits.</summary>
    public static DateTimeOffset? PastUnixMs(long? max) => max is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(ms, MinMs, MaxMs - 1) + 1) : null;
}

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
}

using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace MdrMesh.ServiceDefaults;

/// <summary>
/// A request field (or each item of a list field) takes one of a fixed set of values: the static member
/// <paramref name="member"/> of <paramref name="owner"/>, the very collection the field's validation checks against,
/// so the API's description lists the values the API accepts and cannot drift from them.
/// Usage: <c>[property: OneOf(typeof(IncidentStatus), nameof(IncidentStatus.All))]</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class OneOfAttribute(Type owner, string member) : Attribute
{
    private const BindingFlags Static = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static;

    public IReadOnlyList<string> Values { get; } =
        (owner.GetField(member, Static)?.GetValue(null) ?? owner.GetProperty(member, Static)?.GetValue(null)) is IEnumerable<string> values
            ? [.. values]
            : throw new ArgumentException($"{owner.Name}.{member} is not a static collection of strings.");

    /// <summary>
    /// The OpenAPI schema transformer: a field marked <see cref="OneOfAttribute"/> gets its values as the schema's
    /// <c>enum</c> (a list's on its <c>items</c>, where null is refused). A field that may be null (not given) keeps
    /// null among its values, since JSON Schema's <c>enum</c> would otherwise refuse it.
    /// </summary>
    public static Task Describe(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken ct)
    {
        if (context.JsonPropertyInfo?.AttributeProvider?.GetCustomAttributes(typeof(OneOfAttribute), false) is not [OneOfAttribute oneOf])
            return Task.CompletedTask;
        var values = oneOf.Values.Select(v => (JsonNode)JsonValue.Create(v)).ToList();
        if (schema.Items is OpenApiSchema items)
            items.Enum = values;
        else
            schema.Enum = schema.Type?.HasFlag(JsonSchemaType.Null) == true ? [.. values, null!] : values;
        return Task.CompletedTask;
    }
}

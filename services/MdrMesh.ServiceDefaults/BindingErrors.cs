using System.Text.Json;
using System.Text.RegularExpressions;
using MdrMesh.Contracts.Validation;
using Microsoft.AspNetCore.Http;

namespace MdrMesh.ServiceDefaults;

/// <summary>
/// A body that could not be bound to the method's request (a value of the wrong JSON type, JSON that does not parse,
/// no body at all) as the same validation problem as every other bad input: the field's path as the API names it
/// (<c>statuses</c>, <c>parameters.path</c>, <c>affected_hosts[2]</c>) and what it must be.
/// </summary>
public static partial class BindingErrors
{
    /// <summary>
    /// The errors the exception stands for, or null when it is not a binding failure of the caller's body.
    /// <paramref name="requestType"/> (the method's request record) tells what the field must be: System.Text.Json names
    /// the record, not the field, when it fails on a constructor parameter.
    /// </summary>
    public static IReadOnlyList<ValidationError>? From(Exception? exception, Type? requestType)
    {
        if (exception is not BadHttpRequestException { StatusCode: StatusCodes.Status400BadRequest } bad) return null;
        for (var e = bad.InnerException; e is not null; e = e.InnerException)
            if (e is JsonException json)
                return [new ValidationError(FieldOf(json.Path),
                    TypeAt(requestType, json.Path) is { } expected && json.Message.Contains("could not be converted", StringComparison.Ordinal)
                        ? $"must be {JsonTypeOf(expected)}"
                        : RuleOf(json.Message))];
        // "... but no body was provided", "Required parameter ... was not provided from body": no body, or JSON null.
        return bad.Message.Contains("no body was provided", StringComparison.Ordinal) || bad.Message.Contains("from body", StringComparison.Ordinal)
            ? [new ValidationError("body", "is required: a JSON object")]
            : null;
    }

    /// <summary><c>$.a.b[2]</c> or <c>$['a'].b</c> → <c>a.b[2]</c>; the root itself is <c>body</c>.</summary>
    public static string FieldOf(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$") return "body";
        var field = Bracketed().Replace(path, m => "." + m.Groups[1].Value);
        return field.TrimStart('$').TrimStart('.');
    }

    /// <summary>What the value must be, from System.Text.Json's message: the type it could not be converted to, in JSON's words.</summary>
    public static string RuleOf(string message)
    {
        var converted = TargetType().Match(message);
        if (converted.Success) return $"must be {JsonTypeOf(converted.Groups[1].Value)}";
        if (message.Contains("maximum configured depth", StringComparison.Ordinal)) return $"must not nest deeper than {ApiJson.MaxDepth} levels";
        // Not JSON at all, or broken JSON: the parser's first sentence says where, without the line and byte numbers.
        var sentence = message.Split(" Path:", 2)[0].Split(" LineNumber:", 2)[0].TrimEnd(' ', '|');
        return $"is not valid JSON: {sentence}";
    }

    /// <summary>The .NET type at a JSON path of the request (<c>$.a.b[2]</c>), or null where the path leaves what the type declares.</summary>
    private static Type? TypeAt(Type? type, string? path)
    {
        if (type is null || string.IsNullOrEmpty(path)) return null;
        foreach (Match segment in Segment().Matches(FieldOf(path)))
        {
            if (segment.Groups["index"].Success)
                type = ElementOf(type);
            else
                type = type.GetProperties().FirstOrDefault(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name) == segment.Groups["name"].Value)?.PropertyType;
            if (type is null) return null;
        }
        return type;
    }

    private static Type? ElementOf(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.IsGenericType && type.GetGenericArguments() is [var element] && typeof(System.Collections.IEnumerable).IsAssignableFrom(type) ? element
        : null;

    private static string JsonTypeOf(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type != typeof(string) && ElementOf(type) is { } element) return $"an array of {Plural(JsonTypeOf(element))}";
        return JsonTypeOf(type.FullName ?? type.Name);
    }

    private static string JsonTypeOf(string type)
    {
        var nullable = NullableOf().Match(type);
        if (nullable.Success) return JsonTypeOf(nullable.Groups[1].Value);
        var list = ListOf().Match(type);
        if (list.Success) return $"an array of {Plural(JsonTypeOf(list.Groups[1].Value))}";
        if (type.EndsWith("[]", StringComparison.Ordinal)) return $"an array of {Plural(JsonTypeOf(type[..^2]))}";
        return type switch
        {
            "System.String" => "a string",
            "System.Int16" or "System.Int32" or "System.Int64" or "System.UInt16" or "System.UInt32" or "System.UInt64" or "System.Byte" => "an integer",
            "System.Double" or "System.Single" or "System.Decimal" => "a number",
            "System.Boolean" => "true or false",
            "System.Guid" => "a string (an id)",
            _ => "an object",
        };
    }

    private static string Plural(string one) => one switch
    {
        "a string" => "strings", "an integer" => "integers", "a number" => "numbers", "true or false" => "booleans",
        "a string (an id)" => "strings (ids)", "an object" => "objects", _ => one.StartsWith("an array", StringComparison.Ordinal) ? "arrays" : one,
    };

    [GeneratedRegex(@"could not be converted to ([^ ]+?)\.? Path:")]
    private static partial Regex TargetType();

    [GeneratedRegex(@"^System\.Nullable`1\[(.+)\]$")]
    private static partial Regex NullableOf();

    [GeneratedRegex(@"^System\.Collections\.Generic\.(?:List|IReadOnlyList|IList|IEnumerable|IReadOnlyCollection|ICollection|HashSet)`1\[(.+)\]$")]
    private static partial Regex ListOf();

    [GeneratedRegex(@"(?<name>[^.\[\]]+)|\[(?<index>\d+)\]")]
    private static partial Regex Segment();

    [GeneratedRegex(@"\['([^']*)'\]")]
    private static partial Regex Bracketed();
}

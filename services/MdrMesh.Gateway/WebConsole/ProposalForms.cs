using System.Globalization;
using System.Text.Json.Nodes;

namespace MdrMesh.Gateway.WebConsole;

/// <summary>One input of a proposal form: its parameter path (<c>exclusion_rules[0].remote_ipv4</c>), label and kind.</summary>
public sealed record FormField(string Path, string Label, FormFieldKind Kind = FormFieldKind.Text, IReadOnlyList<string>? Choices = null);

public enum FormFieldKind { Text, Number, Choice, LongText }

/// <summary>
/// The SOC's proposal form, one per response type: which inputs each type has, and how the posted inputs become the
/// API's <c>parameters</c> object. The API validates; its errors name the same paths, so each is shown beside its input.
/// </summary>
public static class ProposalForms
{
    public const int ExclusionRules = 3;

    public static readonly IReadOnlyList<string> Types =
        ["ISOLATE", "DISABLE_ISOLATION", "GET_FILE", "QUARANTINE_FILE", "RESTORE_FROM_QUARANTINE", "TERMINATE_PROCESS", "DELETE_REGISTRY_KEY",
         "MEMORY_DUMP", "RUN_SCRIPT"];

    public static IReadOnlyList<FormField> FieldsOf(string type) => type switch
    {
        "GET_FILE" => [new("path", "Path"), new("max_file_size_mb", "Largest file to collect (MB)", FormFieldKind.Number)],
        "ISOLATE" => [new("isolation_term_seconds", "Isolation term (seconds)", FormFieldKind.Number), .. Enumerable.Range(0, ExclusionRules).SelectMany(Rule)],
        "DELETE_REGISTRY_KEY" => [new("key", "Key (HKEY_LOCAL_MACHINE\\… or HKEY_USERS\\…)"), new("value", "Value (empty: the whole key)")],
        "MEMORY_DUMP" =>
        [
            new("dump_type", "Dump type", FormFieldKind.Choice, ["Full", "Process"]), new("max_file_size_mb", "Largest dump (MB)", FormFieldKind.Number),
            new("process.image.path", "Process image path (Process dumps)"), new("process_count_limit", "Process count limit", FormFieldKind.Number),
        ],
        "TERMINATE_PROCESS" => [new("process_name", "Process name"), new("pid", "PID", FormFieldKind.Number)],
        "RUN_SCRIPT" => [new("script", "Script", FormFieldKind.LongText), new("description", "What the script does")],
        "QUARANTINE_FILE" or "RESTORE_FROM_QUARANTINE" => [new("path", "Path"), new("md5", "MD5"), new("sha256", "SHA-256")],
        _ => [],
    };

    // An isolation's exclusion: traffic the isolation lets through.
    private static IEnumerable<FormField> Rule(int i) =>
    [
        new($"exclusion_rules[{i}].direction", $"Exclusion {i + 1}: direction", FormFieldKind.Choice, ["Inbound", "Outbound", "Both"]),
        new($"exclusion_rules[{i}].protocol", $"Exclusion {i + 1}: protocol (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6)", FormFieldKind.Number),
        new($"exclusion_rules[{i}].remote_ipv4", $"Exclusion {i + 1}: remote IPv4 (address or CIDR)"),
        new($"exclusion_rules[{i}].remote_port_range.from", $"Exclusion {i + 1}: remote ports from", FormFieldKind.Number),
        new($"exclusion_rules[{i}].remote_port_range.to", $"Exclusion {i + 1}: remote ports to", FormFieldKind.Number),
    ];

    /// <summary>
    /// The posted inputs as <c>parameters</c>: blank inputs are left out (an exclusion with no input at all is no
    /// exclusion), numbers are numbers when they read as one and stay text otherwise, for the API to name.
    /// </summary>
    public static JsonObject Parameters(string type, Func<string, string?> posted)
    {
        var parameters = new JsonObject();
        foreach (var field in FieldsOf(type))
        {
            var value = posted(field.Path);
            if (string.IsNullOrWhiteSpace(value)) continue;
            JsonNode node = field.Kind == FormFieldKind.Number && long.TryParse(value.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)
                ? JsonValue.Create(number)
                : JsonValue.Create(field.Kind == FormFieldKind.LongText ? value : value.Trim());
            Set(parameters, field.Path, node);
        }
        return parameters;
    }

    // Sets a.b[0].c in the object, making the objects and arrays on the way (array items in order, gaps filled with {}).
    private static void Set(JsonObject root, string path, JsonNode value)
    {
        JsonNode current = root;
        var parts = path.Split('.');
        for (var i = 0; i < parts.Length; i++)
        {
            var last = i == parts.Length - 1;
            var (name, index) = parts[i].IndexOf('[') is var bracket and > 0
                ? (parts[i][..bracket], int.Parse(parts[i][(bracket + 1)..^1], CultureInfo.InvariantCulture))
                : (parts[i], -1);
            var obj = current.AsObject();
            if (index < 0)
            {
                if (last) { obj[name] = value; return; }
                current = obj[name] ??= new JsonObject();
                continue;
            }
            var array = (obj[name] ??= new JsonArray()).AsArray();
            while (array.Count <= index) array.Add(new JsonObject());
            if (last) { array[index] = value; return; }
            current = array[index]!;
        }
    }
}

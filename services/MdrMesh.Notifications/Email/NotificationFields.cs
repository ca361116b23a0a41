using System.Globalization;
using System.Text.Json.Nodes;

namespace MdrMesh.Notifications.Email;

/// <summary>The values of a notification's data as text: any key may be missing, empty, or of another JSON kind.</summary>
internal sealed record NotificationFields(JsonObject Data)
{
    public string? this[string key] => Data[key] switch
    {
        JsonValue value when value.TryGetValue<string>(out var text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim(),
        JsonValue value => value.ToJsonString(),
        _ => null,
    };

    /// <summary>The link, only when it is an absolute http(s) address: anything else (<c>javascript:</c>, a relative path)
    /// would be unsafe or useless in a mail.</summary>
    public string? Link =>
        this["link"] is { } link && Uri.TryCreate(link, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? uri.AbsoluteUri
            : null;

    public DateTimeOffset? Deadline =>
        this["deadline"] is { } deadline && DateTimeOffset.TryParse(deadline, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : null;
}

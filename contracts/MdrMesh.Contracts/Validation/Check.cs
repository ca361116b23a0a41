using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace MdrMesh.Contracts.Validation;

/// <summary>
/// Collects the errors of one request under a field path. Each rule reports into the shared list
/// and returns whether the value passed, so callers can skip checks that depend on it.
/// </summary>
public sealed partial class Check(List<ValidationError> errors, string path)
{
    public string Path => path;

    public Check Field(string name) => new(errors, path.Length == 0 ? name : $"{path}.{name}");

    public Check Item(int index) => new(errors, $"{path}[{index}]");

    public bool Fail(string rule)
    {
        errors.Add(new ValidationError(path, rule));
        return false;
    }

    public bool Required<T>(T? value) => value is not null || Fail("is required");

    /// <summary>Each item of an optional list non-empty and at most <paramref name="maxLength"/> characters, reported as <c>field[i]</c>.</summary>
    public bool Items(IReadOnlyList<string?>? values, int maxLength)
    {
        var ok = true;
        for (var i = 0; i < (values?.Count ?? 0); i++) ok &= Item(i).NonEmpty(values![i], maxLength);
        return ok;
    }

    /// <summary>Each item of an optional list one of <paramref name="allowed"/>, reported as <c>field[i]</c>: a typo in a filter is an error, not "nothing matches".</summary>
    public bool ItemsOneOf(IReadOnlyList<string?>? values, IReadOnlyCollection<string> allowed)
    {
        var ok = true;
        for (var i = 0; i < (values?.Count ?? 0); i++) ok &= Item(i).OneOf(values![i], allowed);
        return ok;
    }

    public bool NonEmpty(string? value, int maxLength, bool required = true)
    {
        if (value is null) return !required || Fail("is required");
        if (value.Length == 0) return Fail("must not be empty");
        if (value.Contains('\0')) return Fail("must not contain NUL characters");
        return value.Length <= maxLength || Fail($"must be at most {maxLength} characters");
    }

    public bool InRange(long? value, long min, long max, bool required = true)
    {
        if (value is null) return !required || Fail("is required");
        return (value >= min && value <= max) || Fail($"must be between {min} and {max}");
    }

    public bool OneOf(string? value, IReadOnlyCollection<string> allowed, bool required = true)
    {
        if (value is null) return !required || Fail("is required");
        return allowed.Contains(value) || Fail($"must be one of {string.Join(", ", allowed)}");
    }

    /// <summary>An absolute file path on Windows (<c>C:\dir\file</c>) or POSIX (<c>/dir/file</c>), without <c>..</c> segments.</summary>
    public bool AbsolutePath(string? value, bool required = true)
    {
        if (value is null) return !required || Fail("is required");
        if (!NonEmpty(value, 4096)) return false;
        if (!WindowsAbsolute().IsMatch(value) && !value.StartsWith('/'))
            return Fail(@"must be an absolute path, such as C:\dir\file.exe or /usr/bin/file");
        return value.Split('\\', '/').All(segment => segment != "..") || Fail("must not contain '..' segments");
    }

    public bool Md5(string? value, bool required = false) => Hex(value, 32, "an MD5 hash", required);

    public bool Sha256(string? value, bool required = false) => Hex(value, 64, "a SHA-256 hash", required);

    private bool Hex(string? value, int length, string what, bool required)
    {
        if (value is null) return !required || Fail("is required");
        return (value.Length == length && value.All(Uri.IsHexDigit))
            || Fail($"must be {what}: {length} hexadecimal characters");
    }

    /// <summary>A dotted-quad IPv4 address, optionally with a CIDR prefix of 0..32.</summary>
    public bool Ipv4(string? value)
    {
        if (value is null) return true;
        var match = Ipv4Pattern().Match(value);
        var ok = match.Success
            && Enumerable.Range(1, 4).All(i => int.Parse(match.Groups[i].Value) <= 255)
            && (!match.Groups[5].Success || int.Parse(match.Groups[5].Value) <= 32);
        return ok || Fail("must be an IPv4 address or subnet, such as 10.0.0.5 or 10.0.0.0/24");
    }

    /// <summary>An IPv6 address, optionally with a CIDR prefix of 0..128.</summary>
    public bool Ipv6(string? value)
    {
        if (value is null) return true;
        var slash = value.IndexOf('/');
        var address = slash < 0 ? value : value[..slash];
        var ok = address.Contains(':') && !address.Contains('%')
            && IPAddress.TryParse(address, out var parsed) && parsed.AddressFamily == AddressFamily.InterNetworkV6
            && (slash < 0 || (value[(slash + 1)..] is { Length: > 0 and <= 3 } prefix
                              && prefix.All(char.IsAsciiDigit) && int.Parse(prefix) <= 128));
        return ok || Fail("must be an IPv6 address or subnet, such as fd00::1 or fd00::/64");
    }

    [GeneratedRegex(@"^[A-Za-z]:\\")]
    private static partial Regex WindowsAbsolute();

    [GeneratedRegex(@"^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:/(\d{1,2}))?$")]
    private static partial Regex Ipv4Pattern();
}

using System.Net;
using System.Net.Http;
using System.Net.Sockets;

namespace MdrMesh.Notifications.Webhooks;

/// <summary>
/// Keeps webhooks from reaching the service's own network (SSRF): a target must be http(s), without user-info, and
/// resolve to public addresses only, unless <c>Notifications:AllowedHosts</c> (<see cref="WebhookSetup.AllowedHostsOf"/>) names its host, one of its
/// addresses or a range holding it. <see cref="CheckAsync"/> tells the API why a target is refused;
/// <see cref="ConnectAsync"/> enforces the same rule on the address it then connects to, so a name re-pointed at an
/// internal address after the check (DNS rebinding) is still refused.
/// </summary>
public sealed class TargetGuard
{
    private readonly HashSet<string> _names = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<IPNetwork> _ranges = [];
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve;

    /// <param name="allowedHosts">Host names (exact, any case), IP addresses or CIDR ranges.</param>
    /// <param name="resolve">The name lookup; the system's DNS unless a test stands in for it.</param>
    public TargetGuard(IEnumerable<string> allowedHosts, Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null)
    {
        _resolve = resolve ?? Dns.GetHostAddressesAsync;
        foreach (var entry in allowedHosts.Select(h => h.Trim()).Where(h => h.Length > 0))
        {
            if (IPNetwork.TryParse(entry, out var range)) _ranges.Add(Normalize(range));
            else if (IPAddress.TryParse(entry, out var address)) _ranges.Add(Single(Normalize(address)));
            // A malformed range would otherwise be taken for a host name and silently match nothing.
            else if (entry.Contains('/')) throw new InvalidOperationException($"Notifications:AllowedHosts: '{entry}' is not a CIDR range.");
            else _names.Add(entry.TrimEnd('.'));
        }
    }

    /// <summary>Null when <paramref name="target"/> may be called; else why not, as a sentence for a problem's detail.</summary>
    public async Task<string?> CheckAsync(Uri target, CancellationToken cancellationToken)
    {
        if (!target.IsAbsoluteUri) return "the URL must be absolute";
        if (target.Scheme != Uri.UriSchemeHttp && target.Scheme != Uri.UriSchemeHttps) return $"the scheme must be http or https, not {target.Scheme}";
        if (target.UserInfo.Length > 0) return "the URL must not hold a user name or password";
        var host = target.IdnHost;
        if (_names.Contains(host.TrimEnd('.'))) return null;
        try
        {
            return Problem(host, await AddressesOf(host, cancellationToken));
        }
        catch (SocketException)
        {
            return $"the host {host} does not resolve";
        }
    }

    /// <summary>
    /// <see cref="SocketsHttpHandler.ConnectCallback"/>: resolves the host, refuses (<see cref="TargetRefusedException"/>)
    /// when any of its addresses is internal and not allowed, else connects to one of the addresses just checked.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host.Trim('[', ']');
        var addresses = await AddressesOf(host, cancellationToken);
        if (!_names.Contains(host.TrimEnd('.')) && Problem(host, addresses) is { } problem) throw new TargetRefusedException(problem);

        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(address, context.DnsEndPoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }

    /// <summary>Whether <paramref name="address"/> is not on the public Internet (or is reserved for documentation, 6to4 or NAT64).</summary>
    public static bool IsInternal(IPAddress address)
    {
        address = Normalize(address);
        if (address.AddressFamily == AddressFamily.InterNetwork) return Internal4.Any(n => n.Contains(address));
        return Internal6.Any(n => n.Contains(address));
    }

    private async Task<IPAddress[]> AddressesOf(string host, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out var literal)) return [literal];
        var addresses = await _resolve(host, cancellationToken);
        return addresses.Length > 0 ? addresses : throw new SocketException((int)SocketError.HostNotFound);
    }

    private string? Problem(string host, IPAddress[] addresses)
    {
        foreach (var address in addresses)
        {
            if (!IsInternal(address) || _ranges.Any(r => r.Contains(Normalize(address)))) continue;
            return IPAddress.TryParse(host, out _) ? $"{address} is an internal address" : $"{host} resolves to internal address {address}";
        }
        return null;
    }

    // An IPv4 address written as IPv6 (::ffff:a.b.c.d, or the deprecated ::a.b.c.d) is judged as the IPv4 address it
    // reaches. Of the compatible form, :: and ::1 stay as they are (unspecified and loopback, handled as such).
    private static IPAddress Normalize(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) return address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address;
        var bytes = address.GetAddressBytes();
        return bytes.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0 && BitConverter.ToUInt32(bytes, 12) > 1
            ? new IPAddress(bytes.AsSpan(12))
            : address;
    }

    private static IPNetwork Normalize(IPNetwork range) =>
        range.BaseAddress.IsIPv4MappedToIPv6 && range.PrefixLength >= 96 ? new IPNetwork(range.BaseAddress.MapToIPv4(), range.PrefixLength - 96) : range;

    private static IPNetwork Single(IPAddress address) => new(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);

    private static readonly IPNetwork[] Internal4 =
    [
        .. new[]
        {
            "0.0.0.0/8",        // "this network", unspecified
            "10.0.0.0/8",       // private
            "100.64.0.0/10",    // shared address space (carrier-grade NAT)
            "127.0.0.0/8",      // loopback
            "169.254.0.0/16",   // link-local (cloud metadata services live here)
            "172.16.0.0/12",    // private
            "192.0.0.0/24",     // IETF protocol assignments
            "192.0.2.0/24",     // documentation
            "192.88.99.0/24",   // 6to4 relay anycast
            "192.168.0.0/16",   // private
            "198.18.0.0/15",    // benchmarking
            "198.51.100.0/24",  // documentation
            "203.0.113.0/24",   // documentation
            "224.0.0.0/4",      // multicast
            "240.0.0.0/4",      // reserved, and the broadcast 255.255.255.255
        }.Select(IPNetwork.Parse),
    ];

    private static readonly IPNetwork[] Internal6 =
    [
        .. new[]
        {
            "::/96",            // unspecified and the IPv4-compatible block (what Normalize left here)
            "64:ff9b::/96",     // NAT64, which would reach an IPv4 address through a translator
            "64:ff9b:1::/48",   // local-use NAT64
            "100::/64",         // discard-only
            "2001::/23",        // IETF protocol assignments (Teredo among them)
            "2001:db8::/32",    // documentation
            "2002::/16",        // 6to4, which embeds an IPv4 address
            "3fff::/20",        // documentation
            "fc00::/7",         // unique local (private)
            "fe80::/10",        // link-local
            "fec0::/10",        // site-local (deprecated, still routed inside some networks)
            "ff00::/8",         // multicast
        }.Select(IPNetwork.Parse),
    ];
}

/// <summary>A webhook refused because its host is, or resolves to, an internal address not allowed.</summary>
public sealed class TargetRefusedException(string problem) : HttpRequestException($"refused: {problem}");

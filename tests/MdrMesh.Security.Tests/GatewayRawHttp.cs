using System.Net.Sockets;
using System.Text;

namespace MdrMesh.Security.Tests;

/// <summary>HTTP/1.1 written by hand over a socket, so no client library cleans up the path before the gateway sees it.</summary>
public static class GatewayRawHttp
{
    public static async Task<int> PostAsync(Uri gateway, string rawPath, string body, string? bearer)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(gateway.Host, gateway.Port);
        await using var stream = tcp.GetStream();
        var bytes = Encoding.UTF8.GetBytes(body);
        var head = new StringBuilder()
            .Append($"POST {rawPath} HTTP/1.1\r\n")
            .Append($"Host: {gateway.Host}:{gateway.Port}\r\n")
            .Append("Content-Type: application/json\r\n")
            .Append($"Content-Length: {bytes.Length}\r\n");
        if (bearer is not null) head.Append($"Authorization: Bearer {bearer}\r\n");
        head.Append("Connection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
        await stream.WriteAsync(bytes);

        using var reader = new StreamReader(stream, Encoding.ASCII);
        var statusLine = await reader.ReadLineAsync() ?? throw new InvalidOperationException($"No answer to {rawPath}");
        // "HTTP/1.1 404 Not Found"
        return int.Parse(statusLine.Split(' ')[1]);
    }
}

using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace MdrMesh.Testing;

/// <summary>
/// A TCP forwarder between a service and a real server (PostgreSQL, RabbitMQ) that a test can cut, as a failing network
/// would: <see cref="Cut"/> closes every open connection, and until <see cref="Restore"/> each new one is closed as soon as
/// it is made (and counted, so a test sees the service keep trying).
/// </summary>
public sealed class TcpCut : IAsyncDisposable
{
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentDictionary<Socket, bool> _open = new();
    private readonly ConcurrentQueue<DateTime> _refused = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private volatile bool _cut;

    public TcpCut(string targetHost, int targetPort)
    {
        _targetHost = targetHost;
        _targetPort = targetPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>The local port to connect to instead of the server's.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>When the connections refused since the last cut were tried (UTC).</summary>
    public IReadOnlyCollection<DateTime> Refused => [.. _refused];

    public void Cut()
    {
        _refused.Clear();
        _cut = true;
        foreach (var socket in _open.Keys) Close(socket);
    }

    public void Restore() => _cut = false;

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptSocketAsync(_stop.Token);
                if (_cut)
                {
                    _refused.Enqueue(DateTime.UtcNow);
                    Close(client);
                }
                else
                {
                    _ = ForwardAsync(client);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Disposed.
        }
    }

    private async Task ForwardAsync(Socket client)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _open[client] = true;
        _open[server] = true;
        try
        {
            await server.ConnectAsync(_targetHost, _targetPort, _stop.Token);
            await using var fromClient = new NetworkStream(client, ownsSocket: false);
            await using var toServer = new NetworkStream(server, ownsSocket: false);
            await Task.WhenAny(fromClient.CopyToAsync(toServer, _stop.Token), toServer.CopyToAsync(fromClient, _stop.Token));
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // A cut, or either side went away.
        }
        finally
        {
            Close(client);
            Close(server);
        }
    }

    private void Close(Socket socket)
    {
        _open.TryRemove(socket, out _);
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }
        socket.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var socket in _open.Keys) Close(socket);
        await _accepting;
        _stop.Dispose();
    }
}

using System.Net;
using System.Net.Sockets;
using System.Text;
using MdrMesh.Notifications;
using MdrMesh.Notifications.Email;
using Microsoft.Extensions.Options;

namespace MdrMesh.Services.Tests.Notifications;

public sealed class EmailSenderTests
{
    private const string Password = "p4ss-w0rd-never-shown";

    private static EmailSender Sender(int port, string security = "None") => new(Options.Create(new NotificationsOptions
    {
        Smtp = new SmtpOptions { Host = "127.0.0.1", Port = port, Username = "mdrmesh", Password = Password, Security = security },
    }));

    /// <summary>The worst relay: it refuses the login and repeats the credentials it was given in its answer.</summary>
    private static async Task<string> RelayEchoingCredentials(TcpListener listener)
    {
        using var client = await listener.AcceptTcpClientAsync();
        await using var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
        await writer.WriteLineAsync("220 relay.example ESMTP");
        await reader.ReadLineAsync(); // EHLO
        await writer.WriteLineAsync("250-relay.example\r\n250 AUTH PLAIN");
        var auth = (await reader.ReadLineAsync())!.Split(' ');
        if (auth.Length < 3)
        {
            await writer.WriteLineAsync("334 ");
            auth = [.. auth, (await reader.ReadLineAsync())!];
        }
        var credentials = Encoding.UTF8.GetString(Convert.FromBase64String(auth[2])).Replace('\0', ' ');
        await writer.WriteLineAsync($"535 5.7.8 rejected:{credentials}");
        return credentials;
    }

    [Fact]
    public async Task A_refused_login_fails_the_send_without_the_password_even_when_the_relay_repeats_it()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var relay = RelayEchoingCredentials(listener);
            var error = await Assert.ThrowsAsync<EmailSendException>(() => Sender(((IPEndPoint)listener.LocalEndpoint).Port)
                .SendAsync("soc@customer.example", "s", "t", "<p>h</p>", Guid.NewGuid(), CancellationToken.None));

            Assert.Contains(Password, await relay);
            Assert.DoesNotContain(Password, error.Message);
            Assert.Equal("AuthenticationException: 535: 5.7.8 rejected: mdrmesh ***", error.Message);
            Assert.Null(error.InnerException);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task An_unknown_security_setting_fails_the_send_naming_the_setting()
    {
        var error = await Assert.ThrowsAsync<EmailSendException>(() => Sender(25, "Tls13Please")
            .SendAsync("soc@customer.example", "s", "t", "<p>h</p>", Guid.NewGuid(), CancellationToken.None));

        Assert.Contains("Notifications:Smtp:Security", error.Message);
    }

    [Fact]
    public async Task A_cancelled_send_is_a_cancellation_not_an_error()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start(); // accepts the connection, never greets
        try
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Sender(((IPEndPoint)listener.LocalEndpoint).Port)
                .SendAsync("soc@customer.example", "s", "t", "<p>h</p>", Guid.NewGuid(), cancel.Token));
        }
        finally
        {
            listener.Stop();
        }
    }
}

using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace MdrMesh.Notifications.Email;

/// <summary>
/// Sends e-mail through the SMTP relay of <see cref="NotificationsOptions.Smtp"/>, one message at a time over one kept
/// connection (connecting, greeting and logging in once per message cost the relay and this service more than the
/// message itself; measured with smtp4dev at 10 mails/s). A connection idle for <see cref="IdleLimit"/>, or one the relay
/// closed, is replaced; a send that fails on a kept connection is tried once more on a new one. Throws
/// <see cref="EmailSendException"/> when the relay cannot be reached or refuses; the caller records the error and retries.
/// </summary>
public sealed class EmailSender(IOptions<NotificationsOptions> options) : IDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    // Relays drop idle clients after a few minutes (RFC 5321 suggests 5); well before that, a new connection.
    private static readonly TimeSpan IdleLimit = TimeSpan.FromSeconds(60);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SmtpClient? _client;
    private long _lastUsed;

    /// <param name="messageId">The delivery's id: the Message-Id is derived from it, so a retry that reaches the inbox
    /// twice (the relay took it, then the connection broke) can be recognised as one message.</param>
    public async Task SendAsync(string to, string subject, string text, string html, Guid messageId, CancellationToken cancellationToken)
    {
        var smtp = options.Value.Smtp;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var message = Message(smtp, to, subject, text, html, messageId);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            for (var fresh = false; ; fresh = true)
            {
                var kept = _client is { IsConnected: true } && System.Diagnostics.Stopwatch.GetElapsedTime(_lastUsed) < IdleLimit;
                try
                {
                    if (!kept) await ConnectAsync(smtp, timeout.Token);
                    await _client!.SendAsync(message, timeout.Token);
                    _lastUsed = System.Diagnostics.Stopwatch.GetTimestamp();
                    return;
                }
                catch (Exception) when (kept && !fresh && !cancellationToken.IsCancellationRequested)
                {
                    Drop();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Drop();
            throw;
        }
        catch (Exception e)
        {
            Drop();
            // The error is stored and shown: rewritten without the password, and without the original exception, whose
            // inner ones (a server's reply, a socket error) this cannot vouch for.
            var error = e is OperationCanceledException ? $"no answer from {smtp.Host}:{smtp.Port} within {Timeout.TotalSeconds:0} s" : $"{e.GetType().Name}: {e.Message}";
            throw new EmailSendException(Redact(error, smtp.Password));
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task ConnectAsync(SmtpOptions smtp, CancellationToken ct)
    {
        Drop();
        _client = new SmtpClient { Timeout = (int)Timeout.TotalMilliseconds };
        await _client.ConnectAsync(smtp.Host, smtp.Port, SecurityOf(smtp.Security), ct);
        if (!string.IsNullOrEmpty(smtp.Username)) await _client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", ct);
    }

    private void Drop()
    {
        _client?.Dispose();
        _client = null;
    }

    public void Dispose()
    {
        Drop();
        _gate.Dispose();
    }

    private static MimeMessage Message(SmtpOptions smtp, string to, string subject, string text, string html, Guid messageId)
    {
        var from = MailboxAddress.Parse(smtp.From);
        var message = new MimeMessage
        {
            MessageId = $"{messageId:N}@{(from.Domain is { Length: > 0 } domain ? domain : "mdrmesh")}",
            Subject = subject,
            Body = new BodyBuilder { TextBody = text, HtmlBody = html }.ToMessageBody(),
        };
        message.From.Add(from);
        message.To.Add(MailboxAddress.Parse(to));
        // RFC 3834: out-of-office and other automatic replies are not sent back to an automatic message.
        message.Headers.Add("Auto-Submitted", "auto-generated");
        return message;
    }

    private static SecureSocketOptions SecurityOf(string security) => security.ToLowerInvariant() switch
    {
        "none" => SecureSocketOptions.None,
        "auto" => SecureSocketOptions.StartTlsWhenAvailable,
        "starttls" => SecureSocketOptions.StartTls,
        "sslonconnect" => SecureSocketOptions.SslOnConnect,
        _ => throw new InvalidOperationException($"Notifications:Smtp:Security is '{security}'; expected None, Auto, StartTls or SslOnConnect"),
    };

    private static string Redact(string error, string? password) =>
        string.IsNullOrEmpty(password) ? error : error.Replace(password, "***", StringComparison.Ordinal);
}

/// <summary>An e-mail was not sent; the message is safe to store and show (it never holds the SMTP password).</summary>
public sealed class EmailSendException(string message) : Exception(message);

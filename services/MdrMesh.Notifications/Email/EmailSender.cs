using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace MdrMesh.Notifications.Email;

/// <summary>
/// Sends one e-mail through the SMTP relay of <see cref="NotificationsOptions.Smtp"/>: a connection per message (few
/// are sent: a subscription over its per-minute limit gets digests). Throws <see cref="EmailSendException"/> when the
/// relay cannot be reached or refuses; the caller records the error and retries.
/// </summary>
public sealed class EmailSender(IOptions<NotificationsOptions> options)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <param name="messageId">The delivery's id: the Message-Id is derived from it, so a retry that reaches the inbox
    /// twice (the relay took it, then the connection broke) can be recognised as one message.</param>
    public async Task SendAsync(string to, string subject, string text, string html, Guid messageId, CancellationToken cancellationToken)
    {
        var smtp = options.Value.Smtp;
        try
        {
            var message = Message(smtp, to, subject, text, html, messageId);
            using var client = new SmtpClient { Timeout = (int)Timeout.TotalMilliseconds };
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            await client.ConnectAsync(smtp.Host, smtp.Port, SecurityOf(smtp.Security), timeout.Token);
            if (!string.IsNullOrEmpty(smtp.Username))
                await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", timeout.Token);
            await client.SendAsync(message, timeout.Token);
            await client.DisconnectAsync(true, timeout.Token);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            // The error is stored and shown: rewritten without the password, and without the original exception, whose
            // inner ones (a server's reply, a socket error) this cannot vouch for.
            var error = e is OperationCanceledException ? $"no answer from {smtp.Host}:{smtp.Port} within {Timeout.TotalSeconds:0} s" : $"{e.GetType().Name}: {e.Message}";
            throw new EmailSendException(Redact(error, smtp.Password));
        }
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

using System.Text.Json.Nodes;
using MdrMesh.Notifications;
using MdrMesh.Notifications.Email;
using MdrMesh.Notifications.Notifying;
using MdrMesh.Notifications.Subscribing;
using Microsoft.Extensions.Options;
using MimeKit;

namespace MdrMesh.Integration.Tests;

/// <summary>Notification e-mails rendered by <see cref="EmailTemplates"/>, sent by <see cref="EmailSender"/> through a real
/// SMTP server (smtp4dev), and read back from it as received.</summary>
public sealed class EmailOverSmtpTests(Smtp4Dev smtp) : IClassFixture<Smtp4Dev>
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);
    private const string Link = "https://console.example.com/incidents/42?response=5f0c3a4e";
    private const string HostileSummary = "<script>alert('x')</script> Mimikatz & \"friends\" on WS-1";

    private EmailSender Sender() => new(Options.Create(new NotificationsOptions
    {
        Smtp = new SmtpOptions { Host = smtp.Host, Port = smtp.Port, Security = "None", From = "MdrMesh <mdrmesh@mdrmesh.example>" },
    }));

    private static string Recipient() => $"soc-{Guid.NewGuid():N}@customer.example";

    private static Notification AwaitingDecision(string summary) => new(Guid.NewGuid(), NotificationTypes.ResponseAwaitingDecision,
        new DateTimeOffset(2026, 12, 6, 17, 0, 0, TimeSpan.Zero), new JsonObject
        {
            ["tenant_id"] = "tenant-a",
            ["incident_id"] = Guid.NewGuid().ToString(),
            ["incident_number"] = 42,
            ["summary"] = summary,
            ["priority"] = "HIGH",
            ["response_id"] = Guid.NewGuid().ToString(),
            ["asset_id"] = "WS-1",
            ["response_type"] = "ISOLATE",
            ["deadline"] = "2026-12-06T18:30:00Z",
            ["link"] = Link,
        });

    private async Task<MimeMessage> SendAndReceive(Notification notification, Language lang, Guid messageId)
    {
        var to = Recipient();
        var (subject, text, html) = EmailTemplates.Render(notification, lang);
        await Sender().SendAsync(to, subject, text, html, messageId, CancellationToken.None);
        return await smtp.ReceivedAsync(to, Within);
    }

    [Fact]
    public async Task An_English_mail_arrives_with_its_subject_both_bodies_and_the_link()
    {
        var messageId = Guid.NewGuid();
        var received = await SendAndReceive(AwaitingDecision("Suspicious PowerShell"), Language.En, messageId);

        Assert.Equal("[MdrMesh] Decision needed: Isolate the host (WS-1), incident #42", received.Subject);
        Assert.Equal($"{messageId:N}@mdrmesh.example", received.MessageId);
        Assert.Equal("mdrmesh@mdrmesh.example", received.From.Mailboxes.Single().Address);
        Assert.Equal("multipart/alternative", received.Body!.ContentType.MimeType);
        Assert.Contains("If no one decides by 2026-12-06 18:30 UTC, it will be declined automatically.", received.TextBody);
        Assert.Contains($"Decide: {Link}", received.TextBody);
        Assert.Contains($"<a href=\"{Link}\">Decide</a>", received.HtmlBody);
        Assert.Contains("Suspicious PowerShell", received.HtmlBody);
    }

    [Fact]
    public async Task A_Russian_mail_arrives_with_its_Cyrillic_intact()
    {
        var notification = AwaitingDecision("Подозрительный запуск PowerShell на бухгалтерском компьютере");
        var received = await SendAndReceive(notification, Language.Ru, Guid.NewGuid());

        Assert.Equal("[MdrMesh] Требуется решение: Изоляция узла (WS-1), инцидент № 42", received.Subject);
        Assert.Contains("Ответная мера по инциденту № 42 ждёт вашего решения.", received.TextBody);
        Assert.Contains("Если решение не будет принято до 06.12.2026 18:30 UTC, она будет отклонена автоматически.", received.TextBody);
        Assert.Contains("Подозрительный запуск PowerShell на бухгалтерском компьютере", received.TextBody);
        Assert.Contains("Подозрительный запуск PowerShell на бухгалтерском компьютере", received.HtmlBody);
        Assert.Contains($"Принять решение: {Link}", received.TextBody);
        Assert.Contains($"<a href=\"{Link}\">Принять решение</a>", received.HtmlBody);
    }

    [Fact]
    public async Task A_hostile_summary_arrives_as_text_not_markup()
    {
        var created = new Notification(Guid.NewGuid(), NotificationTypes.IncidentCreated, DateTimeOffset.UtcNow,
            new JsonObject { ["incident_number"] = 7, ["summary"] = HostileSummary, ["link"] = Link });
        var received = await SendAndReceive(created, Language.En, Guid.NewGuid());

        Assert.DoesNotContain("<script", received.HtmlBody, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Mimikatz &amp; &quot;friends&quot; on WS-1", received.HtmlBody);
        // The plain text is the summary as written; the subject too, on one line.
        Assert.Contains(HostileSummary, received.TextBody);
        Assert.Equal($"[MdrMesh] New incident #7: {HostileSummary}", received.Subject);
    }

    [Fact]
    public async Task A_digest_of_fifty_notifications_is_one_mail_listing_fifty()
    {
        var start = new DateTimeOffset(2026, 12, 6, 17, 0, 0, TimeSpan.Zero);
        var notifications = Enumerable.Range(1, 50).Select(i => new Notification(Guid.NewGuid(), NotificationTypes.IncidentCreated,
            start.AddSeconds(i), new JsonObject { ["incident_number"] = 1000 + i, ["summary"] = $"Alert {i}", ["link"] = $"{Link}&n={i}" })).ToList();
        var to = Recipient();
        var (subject, text, html) = EmailTemplates.RenderDigest(notifications, Language.Ru);
        await Sender().SendAsync(to, subject, text, html, Guid.NewGuid(), CancellationToken.None);

        var received = await smtp.ReceivedAsync(to, Within);
        Assert.Equal("[MdrMesh] 50 уведомлений", received.Subject);
        Assert.Contains("Всего уведомлений: 50", received.TextBody);
        Assert.Equal(50, CountOf("<li>", received.HtmlBody!));
        for (var i = 1; i <= 50; i++)
        {
            Assert.Contains($"{i}. {start.AddSeconds(i):dd.MM.yyyy HH:mm:ss} UTC — Новый инцидент № {1000 + i}: Alert {i}\n", received.TextBody);
            Assert.Contains($"{Link}&amp;n={i}", received.HtmlBody);
        }
    }

    private static int CountOf(string needle, string haystack) =>
        (haystack.Length - haystack.Replace(needle, "").Length) / needle.Length;
}

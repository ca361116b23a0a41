using System.Text.Json.Nodes;
using MdrMesh.Notifications.Email;
using MdrMesh.Notifications.Notifying;
using MdrMesh.Notifications.Subscribing;

namespace MdrMesh.Services.Tests.Notifications;

public sealed class EmailTemplatesTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 6, 17, 0, 0, TimeSpan.Zero);
    private const string Link = "https://console.example.com/incidents/42";

    private static readonly string[] Types =
    [
        NotificationTypes.IncidentCreated, NotificationTypes.ResponseAwaitingDecision, NotificationTypes.ResponseFailed,
        NotificationTypes.IncidentClosed, NotificationTypes.GuardTripped, NotificationTypes.Test,
    ];

    public static TheoryData<string, Language> EveryTypeAndLanguage()
    {
        var data = new TheoryData<string, Language>();
        foreach (var type in Types)
        foreach (var lang in Enum.GetValues<Language>())
            data.Add(type, lang);
        return data;
    }

    private static JsonObject Everything(string summary = "Suspicious PowerShell") => new()
    {
        ["tenant_id"] = "tenant-a",
        ["incident_id"] = "0b7c1f0e-0000-4000-8000-000000000042",
        ["incident_number"] = 42,
        ["summary"] = summary,
        ["priority"] = "HIGH",
        ["response_id"] = "5f0c3a4e-9b1d-4c2a-8e7f-0a1b2c3d4e5f",
        ["asset_id"] = "WS-1",
        ["response_type"] = "ISOLATE",
        ["deadline"] = "2026-12-06T18:30:00+00:00",
        ["reason_code"] = "ASSET_UNREACHABLE",
        ["message"] = "The agent did not answer.",
        ["resolution"] = "True positive",
        ["reason"] = "blast-radius guard, 20 automatic drastic acceptances within 10 minutes",
        ["link"] = Link,
    };

    private static (string Subject, string Text, string Html) Render(string type, Language lang, JsonObject data) =>
        EmailTemplates.Render(new Notification(Guid.NewGuid(), type, At, data), lang);

    [Theory, MemberData(nameof(EveryTypeAndLanguage))]
    public void Every_type_renders_a_subject_both_bodies_and_the_link(string type, Language lang)
    {
        var (subject, text, html) = Render(type, lang, Everything());

        Assert.StartsWith("[MdrMesh] ", subject);
        Assert.DoesNotContain('\n', subject);
        Assert.Contains(Link, text);
        Assert.Contains($"href=\"{Link}\"", html);
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Contains($"<html lang=\"{(lang == Language.Ru ? "ru" : "en")}\">", html);
    }

    [Theory, MemberData(nameof(EveryTypeAndLanguage))]
    public void Every_type_renders_without_any_data(string type, Language lang)
    {
        var (subject, text, html) = Render(type, lang, []);

        Assert.StartsWith("[MdrMesh] ", subject);
        Assert.DoesNotContain("  ", subject);
        Assert.NotEmpty(text);
        Assert.DoesNotContain("<a ", html);
    }

    [Theory, MemberData(nameof(EveryTypeAndLanguage))]
    public void Russian_is_written_in_Cyrillic_and_English_is_not(string type, Language lang)
    {
        var (subject, text, _) = Render(type, lang, Everything());
        static bool Cyrillic(string s) => s.Any(c => c is >= 'А' and <= 'я' or 'ё' or 'Ё');

        Assert.Equal(lang == Language.Ru, Cyrillic(subject));
        Assert.Equal(lang == Language.Ru, Cyrillic(text));
    }

    [Fact]
    public void Awaiting_decision_names_the_response_the_asset_and_the_deadline()
    {
        var en = Render(NotificationTypes.ResponseAwaitingDecision, Language.En, Everything());
        var ru = Render(NotificationTypes.ResponseAwaitingDecision, Language.Ru, Everything());

        Assert.Equal("[MdrMesh] Decision needed: Isolate the host (WS-1), incident #42", en.Subject);
        Assert.Contains("A response to incident #42 is waiting for your decision. If no one decides by 2026-12-06 18:30 UTC, it will be declined automatically.", en.Text);
        Assert.Contains($"Decide: {Link}", en.Text);
        Assert.Equal("[MdrMesh] Требуется решение: Изоляция узла (WS-1), инцидент № 42", ru.Subject);
        Assert.Contains("Если решение не будет принято до 06.12.2026 18:30 UTC, она будет отклонена автоматически.", ru.Text);
        Assert.Contains("Решение нужно до: 06.12.2026 18:30 UTC", ru.Text);
        Assert.Contains("Приоритет: Высокий", ru.Text);
    }

    [Fact]
    public void A_deadline_in_another_offset_is_shown_in_UTC()
    {
        var data = Everything();
        data["deadline"] = "2026-12-06T21:30:00+03:00";

        Assert.Contains("2026-12-06 18:30 UTC", Render(NotificationTypes.ResponseAwaitingDecision, Language.En, data).Text);
    }

    [Fact]
    public void Failed_carries_the_reason_code_and_message()
    {
        var (subject, text, html) = Render(NotificationTypes.ResponseFailed, Language.En, Everything());

        Assert.Equal("[MdrMesh] Response failed: Isolate the host (WS-1), ASSET_UNREACHABLE", subject);
        Assert.Contains("Reason code: ASSET_UNREACHABLE", text);
        Assert.Contains("Details: The agent did not answer.", text);
        Assert.Contains("<td>The agent did not answer.</td>", html);
        Assert.Equal("[MdrMesh] Ответная мера не выполнена: Изоляция узла (WS-1), ASSET_UNREACHABLE",
            Render(NotificationTypes.ResponseFailed, Language.Ru, Everything()).Subject);
    }

    [Fact]
    public void Closed_carries_the_resolution()
    {
        Assert.Equal("[MdrMesh] Incident #42 closed: True positive", Render(NotificationTypes.IncidentClosed, Language.En, Everything()).Subject);
        Assert.Equal("[MdrMesh] Инцидент № 42 закрыт: True positive", Render(NotificationTypes.IncidentClosed, Language.Ru, Everything()).Subject);
    }

    [Fact]
    public void Every_value_is_encoded_in_the_html()
    {
        var data = Everything("<img src=x onerror=alert(1)> & \"quoted\"");
        data["asset_id"] = "<b>WS-1</b>";
        data["message"] = "</td><script>steal()</script>";
        data["reason"] = "'><iframe>";

        foreach (var type in Types)
        {
            var (_, _, html) = Render(type, Language.En, data);
            Assert.DoesNotContain("<img", html);
            Assert.DoesNotContain("<script", html);
            Assert.DoesNotContain("<iframe", html);
            Assert.DoesNotContain("<b>", html);
        }
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quoted&quot;", Render(NotificationTypes.IncidentCreated, Language.En, data).Html);
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("/incidents/42")]
    [InlineData("\"><script>x()</script>")]
    public void A_link_that_is_not_http_is_left_out(string link)
    {
        var data = Everything();
        data["link"] = link;

        var (_, text, html) = Render(NotificationTypes.IncidentCreated, Language.En, data);
        Assert.DoesNotContain(link, text);
        Assert.DoesNotContain("<a ", html);
    }

    [Fact]
    public void A_summary_with_line_breaks_makes_a_one_line_subject_and_keeps_its_lines_in_the_body()
    {
        var (subject, _, html) = Render(NotificationTypes.IncidentCreated, Language.En, Everything("first line\r\nsecond line"));

        Assert.Equal("[MdrMesh] New incident #42: first line second line", subject);
        Assert.Contains("first line<br>second line", html);
    }

    [Fact]
    public void A_long_summary_is_shortened_in_the_subject_only()
    {
        var summary = new string('x', 500);
        var (subject, text, _) = Render(NotificationTypes.IncidentCreated, Language.En, Everything(summary));

        Assert.True(subject.Length <= 150, subject);
        Assert.EndsWith("…", subject);
        Assert.Contains(summary, text);
    }

    [Fact]
    public void Numbers_and_other_json_kinds_are_read_as_text_or_left_out()
    {
        var data = new JsonObject { ["incident_number"] = "#7", ["summary"] = new JsonObject { ["nested"] = true }, ["priority"] = "  " };

        var (subject, text, _) = Render(NotificationTypes.IncidentCreated, Language.En, data);
        Assert.Equal("[MdrMesh] New incident #7", subject);
        Assert.DoesNotContain("nested", text);
        Assert.DoesNotContain("Priority", text);
    }

    [Fact]
    public void An_incident_without_a_number_is_named_by_its_id()
    {
        var data = new JsonObject { ["incident_id"] = "0b7c1f0e-0000-4000-8000-000000000042" };

        Assert.Equal("[MdrMesh] Incident 0b7c1f0e-0000-4000-8000-000000000042 closed", Render(NotificationTypes.IncidentClosed, Language.En, data).Subject);
    }

    [Fact]
    public void An_unknown_type_still_renders()
    {
        var (subject, text, _) = Render("incident.reopened", Language.Ru, Everything());

        Assert.Equal("[MdrMesh] Уведомление: incident.reopened", subject);
        Assert.Contains("Описание: Suspicious PowerShell", text);
    }

    [Fact]
    public void A_digest_gives_the_count_then_one_line_each()
    {
        var notifications = Enumerable.Range(1, 50).Select(i => new Notification(Guid.NewGuid(),
            i % 2 == 0 ? NotificationTypes.IncidentCreated : NotificationTypes.ResponseFailed,
            At.AddSeconds(i), new JsonObject { ["incident_number"] = i, ["summary"] = $"<i>{i}</i>", ["link"] = $"{Link}?n={i}" })).ToList();

        var (subject, text, html) = EmailTemplates.RenderDigest(notifications, Language.En);

        Assert.Equal("[MdrMesh] 50 notifications", subject);
        Assert.Contains("Notifications: 50", text);
        Assert.Contains("1. 2026-12-06 17:00:01 UTC — Response failed\n", text);
        Assert.Contains("2. 2026-12-06 17:00:02 UTC — New incident #2: <i>2</i>\n", text);
        Assert.Contains($"   {Link}?n=50\n", text);
        Assert.Equal(50, html.Split("<li>").Length - 1);
        Assert.Contains($"<li><a href=\"{Link}?n=2\">2026-12-06 17:00:02 UTC — New incident #2: &lt;i&gt;2&lt;/i&gt;</a></li>", html);
    }

    [Theory]
    [InlineData(1, "1 уведомление")]
    [InlineData(2, "2 уведомления")]
    [InlineData(4, "4 уведомления")]
    [InlineData(5, "5 уведомлений")]
    [InlineData(11, "11 уведомлений")]
    [InlineData(14, "14 уведомлений")]
    [InlineData(21, "21 уведомление")]
    [InlineData(22, "22 уведомления")]
    [InlineData(50, "50 уведомлений")]
    [InlineData(111, "111 уведомлений")]
    public void A_Russian_digest_counts_in_the_right_form(int count, string expected)
    {
        var notifications = Enumerable.Range(0, count)
            .Select(_ => new Notification(Guid.NewGuid(), NotificationTypes.Test, At, [])).ToList();

        Assert.Equal($"[MdrMesh] {expected}", EmailTemplates.RenderDigest(notifications, Language.Ru).Subject);
    }

    [Fact]
    public void Rendering_is_pure()
    {
        var notification = new Notification(Guid.NewGuid(), NotificationTypes.IncidentCreated, At, Everything());

        Assert.Equal(EmailTemplates.Render(notification, Language.Ru), EmailTemplates.Render(notification, Language.Ru));
    }
}

using MdrMesh.Notifications.Notifying;
using MdrMesh.Notifications.Subscribing;
using static MdrMesh.Notifications.Email.EmailWords;

namespace MdrMesh.Notifications.Email;

/// <summary>
/// The e-mail of each notification type, in English and Russian: a subject, a plain-text body and an HTML body (every
/// value encoded). Pure: the same notification always renders the same mail. Any data key may be missing; the mail
/// then leaves that fact out.
/// </summary>
public static class EmailTemplates
{
    private const int MaxSummaryInSubject = 80;

    public static (string Subject, string Text, string Html) Render(Notification n, Language lang) =>
        EmailLayout.Lay(Compose(n, lang), lang);

    /// <summary>One mail standing for many (a subscription over its per-minute limit): the count, then a line each.</summary>
    public static (string Subject, string Text, string Html) RenderDigest(IReadOnlyList<Notification> notifications, Language lang)
    {
        var count = NotificationCount(notifications.Count, lang);
        var lines = notifications
            .Select(n => (n.Timestamp, Mail: Compose(n, lang)))
            .Select(x => new Line($"{Time(x.Timestamp, lang, seconds: true)} — {x.Mail.Headline}", x.Mail.Link))
            .ToList();
        var mail = new Mail(
            count,
            lang.Pick("More notifications arrived within a minute than are sent one by one, so they come together in this message.",
                "За минуту пришло больше уведомлений, чем отправляется по отдельности, поэтому они собраны в одно письмо."),
            [new Fact(lang.Pick("Notifications", "Всего уведомлений"), notifications.Count.ToString())],
            null, "") { Lines = lines };
        return EmailLayout.Lay(mail, lang);
    }

    private static Mail Compose(Notification n, Language lang)
    {
        var f = new NotificationFields(n.Data);
        return n.Type switch
        {
            NotificationTypes.IncidentCreated => IncidentCreated(f, lang),
            NotificationTypes.ResponseAwaitingDecision => AwaitingDecision(f, lang),
            NotificationTypes.ResponseFailed => ResponseFailed(f, lang),
            NotificationTypes.IncidentClosed => IncidentClosed(f, lang),
            NotificationTypes.GuardTripped => GuardTripped(f, lang),
            NotificationTypes.Test => Test(f, lang),
            _ => Other(n.Type, f, lang),
        };
    }

    private static Mail IncidentCreated(NotificationFields f, Language lang)
    {
        var incident = IncidentRef(f, lang);
        var summary = f["summary"] is { } s ? ": " + EmailLayout.OneLine(s, MaxSummaryInSubject) : "";
        return new Mail(
            lang.Pick($"New incident{incident}{summary}", $"Новый инцидент{incident}{summary}"),
            lang.Pick($"A new incident{incident} was opened.", $"Открыт новый инцидент{incident}."),
            Facts(
                (lang.Pick("Summary", "Описание"), f["summary"]),
                (lang.Pick("Priority", "Приоритет"), Priority(f["priority"], lang)),
                (lang.Pick("Incident", "Инцидент"), IncidentFact(f, lang)),
                (lang.Pick("Organisation", "Организация"), f["tenant_id"])),
            f.Link, lang.Pick("Open the incident", "Открыть инцидент"));
    }

    private static Mail AwaitingDecision(NotificationFields f, Language lang)
    {
        var incident = IncidentRef(f, lang);
        var deadline = f.Deadline is { } at ? Time(at, lang) : f["deadline"];
        var lead = incident == ""
            ? lang.Pick("A response is waiting for your decision.", "Ответная мера ждёт вашего решения.")
            : lang.Pick($"A response to incident{incident} is waiting for your decision.", $"Ответная мера по инциденту{incident} ждёт вашего решения.");
        if (deadline is not null)
            lead += lang.Pick($" If no one decides by {deadline}, it will be declined automatically.",
                $" Если решение не будет принято до {deadline}, она будет отклонена автоматически.");
        return new Mail(
            Headline(lang.Pick("Decision needed", "Требуется решение"), What(f, lang), incident == "" ? null : lang.Pick("incident", "инцидент") + incident),
            lead,
            Facts(
                (lang.Pick("Response", "Ответная мера"), ResponseType(f["response_type"], lang)),
                (lang.Pick("Asset", "Узел"), f["asset_id"]),
                (lang.Pick("Decide by", "Решение нужно до"), deadline),
                (lang.Pick("Incident", "Инцидент"), IncidentFact(f, lang)),
                (lang.Pick("Summary", "Описание"), f["summary"]),
                (lang.Pick("Priority", "Приоритет"), Priority(f["priority"], lang)),
                (lang.Pick("Organisation", "Организация"), f["tenant_id"])),
            f.Link, lang.Pick("Decide", "Принять решение"));
    }

    private static Mail ResponseFailed(NotificationFields f, Language lang)
    {
        var incident = IncidentRef(f, lang);
        return new Mail(
            Headline(lang.Pick("Response failed", "Ответная мера не выполнена"), What(f, lang), f["reason_code"]),
            incident == ""
                ? lang.Pick("A response could not be carried out.", "Ответную меру выполнить не удалось.")
                : lang.Pick($"A response to incident{incident} could not be carried out.", $"Ответную меру по инциденту{incident} выполнить не удалось."),
            Facts(
                (lang.Pick("Reason code", "Код причины"), f["reason_code"]),
                (lang.Pick("Details", "Подробности"), f["message"]),
                (lang.Pick("Response", "Ответная мера"), ResponseType(f["response_type"], lang)),
                (lang.Pick("Asset", "Узел"), f["asset_id"]),
                (lang.Pick("Incident", "Инцидент"), IncidentFact(f, lang)),
                (lang.Pick("Organisation", "Организация"), f["tenant_id"])),
            f.Link, lang.Pick("Open the incident", "Открыть инцидент"));
    }

    private static Mail IncidentClosed(NotificationFields f, Language lang)
    {
        var incident = IncidentRef(f, lang);
        var resolution = f["resolution"] is { } r ? ": " + EmailLayout.OneLine(r, MaxSummaryInSubject) : "";
        return new Mail(
            lang.Pick($"Incident{incident} closed{resolution}", $"Инцидент{incident} закрыт{resolution}"),
            lang.Pick(incident == "" ? "The incident was closed." : $"Incident{incident} was closed.", $"Инцидент{incident} закрыт."),
            Facts(
                (lang.Pick("Resolution", "Итог"), f["resolution"]),
                (lang.Pick("Summary", "Описание"), f["summary"]),
                (lang.Pick("Incident", "Инцидент"), IncidentFact(f, lang)),
                (lang.Pick("Organisation", "Организация"), f["tenant_id"])),
            f.Link, lang.Pick("Open the incident", "Открыть инцидент"));
    }

    private static Mail GuardTripped(NotificationFields f, Language lang) => new(
        lang.Pick("Blast-radius guard tripped: automatic acceptance held", "Сработал ограничитель: автоматическое одобрение приостановлено"),
        lang.Pick("The blast-radius guard held a response that would otherwise have been accepted automatically: the limit of automatic "
                + "acceptances of drastic responses was reached. Until the count falls below the limit or the guard is reset, such "
                + "responses wait for a person's decision.",
            "Ограничитель радиуса поражения задержал ответную меру, которая иначе была бы одобрена автоматически: достигнут предел "
                + "автоматических одобрений опасных мер. Пока их число не опустится ниже предела или ограничитель не будет сброшен, "
                + "такие меры ждут решения человека."),
        Facts(
            (lang.Pick("Reason", "Причина"), f["reason"]),
            (lang.Pick("Response", "Ответная мера"), ResponseType(f["response_type"], lang)),
            (lang.Pick("Asset", "Узел"), f["asset_id"]),
            (lang.Pick("Incident", "Инцидент"), IncidentFact(f, lang)),
            (lang.Pick("Organisation", "Организация"), f["tenant_id"])),
        f.Link, lang.Pick("Open in the console", "Открыть в консоли"));

    private static Mail Test(NotificationFields f, Language lang) => new(
        lang.Pick("Test notification", "Тестовое уведомление"),
        lang.Pick("This is a test of your MdrMesh e-mail subscription. If you are reading it, notifications reach you.",
            "Это проверка вашей подписки на уведомления MdrMesh по электронной почте. Раз вы читаете это письмо, уведомления до вас доходят."),
        Facts(
            (lang.Pick("Message", "Сообщение"), f["message"]),
            (lang.Pick("Organisation", "Организация"), f["tenant_id"])),
        f.Link, lang.Pick("Open the console", "Открыть консоль"));

    /// <summary>A type without a template of its own (one added later): its name and whatever known facts it carries.</summary>
    private static Mail Other(string type, NotificationFields f, Language lang) => new(
        lang.Pick($"Notification: {type}", $"Уведомление: {type}"),
        lang.Pick($"MdrMesh notifies you of an event: {type}.", $"MdrMesh сообщает о событии: {type}."),
        Facts(
            (lang.Pick("Summary", "Описание"), f["summary"]),
            (lang.Pick("Message", "Сообщение"), f["message"]),
            (lang.Pick("Incident", "Инцидент"), IncidentFact(f, lang)),
            (lang.Pick("Organisation", "Организация"), f["tenant_id"])),
        f.Link, lang.Pick("Open in the console", "Открыть в консоли"));

    /// <summary>The response as a subject names it: its type and, in brackets, its asset (or the asset alone).</summary>
    private static string? What(NotificationFields f, Language lang) => (ResponseType(f["response_type"], lang), f["asset_id"]) switch
    {
        ({ } type, { } asset) => $"{type} ({asset})",
        (var type, var asset) => type ?? asset,
    };

    private static string? IncidentFact(NotificationFields f, Language lang) => IncidentRef(f, lang) is { Length: > 0 } incident ? incident.Trim() : null;

    /// <summary>"Title: detail, detail" with the details there are; the title alone without any.</summary>
    private static string Headline(string title, params string?[] details) =>
        details.Where(d => d is not null).ToList() is { Count: > 0 } known ? $"{title}: {string.Join(", ", known)}" : title;

    private static IReadOnlyList<Fact> Facts(params (string Label, string? Value)[] facts) =>
        facts.Where(x => x.Value is not null).Select(x => new Fact(x.Label, x.Value!)).ToList();
}

using System.Globalization;
using MdrMesh.Notifications.Subscribing;

namespace MdrMesh.Notifications.Email;

/// <summary>The words the templates share: names of the API's codes, dates, counts, in each language.</summary>
internal static class EmailWords
{
    public static string Pick(this Language lang, string en, string ru) => lang == Language.Ru ? ru : en;

    /// <summary>The API's response type names as a person reads them; an unknown one as it is.</summary>
    public static string? ResponseType(string? type, Language lang) => type switch
    {
        null => null,
        "GET_FILE" => lang.Pick("Get a file", "Получение файла"),
        "ISOLATE" => lang.Pick("Isolate the host", "Изоляция узла"),
        "DISABLE_ISOLATION" => lang.Pick("End the host's isolation", "Снятие изоляции узла"),
        "DELETE_REGISTRY_KEY" => lang.Pick("Delete a registry key", "Удаление ключа реестра"),
        "MEMORY_DUMP" => lang.Pick("Memory dump", "Снятие дампа памяти"),
        "TERMINATE_PROCESS" => lang.Pick("Terminate a process", "Завершение процесса"),
        "RUN_SCRIPT" => lang.Pick("Run a script", "Запуск скрипта"),
        "QUARANTINE_FILE" => lang.Pick("Quarantine a file", "Помещение файла в карантин"),
        "RESTORE_FROM_QUARANTINE" => lang.Pick("Restore a file from quarantine", "Восстановление файла из карантина"),
        _ => type,
    };

    public static string? Priority(string? priority, Language lang) => priority switch
    {
        "HIGH" => lang.Pick("High", "Высокий"),
        "NORMAL" => lang.Pick("Normal", "Обычный"),
        "LOW" => lang.Pick("Low", "Низкий"),
        _ => priority,
    };

    /// <summary>An incident as a sentence names it after the noun: "#42" / "№ 42", else its id, else nothing.</summary>
    public static string IncidentRef(NotificationFields f, Language lang) =>
        f["incident_number"] is { } number ? " " + lang.Pick("#", "№ ") + number.TrimStart('#')
        : f["incident_id"] is { } id ? " " + id
        : "";

    /// <summary>Times are shown in UTC, as each language writes dates.</summary>
    public static string Time(DateTimeOffset at, Language lang, bool seconds = false) =>
        at.ToUniversalTime().ToString(lang.Pick("yyyy-MM-dd HH:mm", "dd.MM.yyyy HH:mm") + (seconds ? ":ss" : ""), CultureInfo.InvariantCulture) + " UTC";

    /// <summary>"1 notification", "3 notifications"; in Russian the three forms: 1 уведомление, 3 уведомления, 5 уведомлений.</summary>
    public static string NotificationCount(int count, Language lang)
    {
        if (lang == Language.En) return count == 1 ? "1 notification" : $"{count} notifications";
        var (tens, units) = (count % 100, count % 10);
        var word = tens is >= 11 and <= 14 ? "уведомлений" : units switch { 1 => "уведомление", >= 2 and <= 4 => "уведомления", _ => "уведомлений" };
        return $"{count} {word}";
    }
}

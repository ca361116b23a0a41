using System.Net;
using System.Text;
using MdrMesh.Notifications.Subscribing;

namespace MdrMesh.Notifications.Email;

/// <summary>One e-mail before layout: its headline (the subject without the prefix), an opening paragraph, labelled
/// facts, the lines of a digest, and the link to act on. Values are plain text: the layout encodes them.</summary>
internal sealed record Mail(string Headline, string Lead, IReadOnlyList<Fact> Facts, string? Link, string LinkLabel)
{
    public IReadOnlyList<Line> Lines { get; init; } = [];
}

internal sealed record Fact(string Label, string Value);

/// <summary>One entry of a digest.</summary>
internal sealed record Line(string Text, string? Link);

/// <summary>A <see cref="Mail"/> as the subject, plain text and HTML of one message.</summary>
internal static class EmailLayout
{
    private const string SubjectPrefix = "[MdrMesh] ";
    private const int MaxSubject = 150;

    public static (string Subject, string Text, string Html) Lay(Mail mail, Language lang) =>
        (Subject(mail.Headline), Text(mail, lang), Html(mail, lang));

    /// <summary>One line (a summary may hold line breaks, which a header must not), short enough to read in a list.</summary>
    public static string OneLine(string value, int max)
    {
        var flat = string.Join(' ', value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return flat.Length <= max ? flat : flat[..(max - 1)].TrimEnd() + "…";
    }

    private static string Subject(string headline) => OneLine(SubjectPrefix + headline, MaxSubject);

    private static string Footer(Language lang) => lang == Language.Ru
        ? "Это письмо отправлено MdrMesh автоматически; ответы на него не читаются."
        : "This message was sent automatically by MdrMesh; replies are not read.";

    private static string Text(Mail mail, Language lang)
    {
        var text = new StringBuilder();
        text.Append(mail.Lead).Append("\n\n");
        foreach (var fact in mail.Facts) text.Append(fact.Label).Append(": ").Append(fact.Value).Append('\n');
        if (mail.Facts.Count > 0) text.Append('\n');
        for (var i = 0; i < mail.Lines.Count; i++)
        {
            text.Append(i + 1).Append(". ").Append(mail.Lines[i].Text).Append('\n');
            if (mail.Lines[i].Link is { } link) text.Append("   ").Append(link).Append('\n');
        }
        if (mail.Lines.Count > 0) text.Append('\n');
        if (mail.Link is not null) text.Append(mail.LinkLabel).Append(": ").Append(mail.Link).Append("\n\n");
        text.Append("-- \n").Append(Footer(lang)).Append('\n');
        return text.ToString();
    }

    private static string Html(Mail mail, Language lang)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"").Append(lang == Language.Ru ? "ru" : "en").Append("\">\n<head><meta charset=\"utf-8\"><title>")
            .Append(Encode(Subject(mail.Headline))).Append("</title></head>\n<body style=\"font-family: sans-serif\">\n")
            .Append("<p>").Append(Encode(mail.Lead)).Append("</p>\n");
        if (mail.Facts.Count > 0)
        {
            html.Append("<table>\n");
            foreach (var fact in mail.Facts)
                html.Append("<tr><th style=\"text-align: left; padding-right: 1em\">").Append(Encode(fact.Label)).Append("</th><td>")
                    .Append(Encode(fact.Value)).Append("</td></tr>\n");
            html.Append("</table>\n");
        }
        if (mail.Lines.Count > 0)
        {
            html.Append("<ol>\n");
            foreach (var line in mail.Lines)
                html.Append("<li>").Append(line.Link is null ? Encode(line.Text) : Anchor(line.Link, line.Text)).Append("</li>\n");
            html.Append("</ol>\n");
        }
        if (mail.Link is not null) html.Append("<p>").Append(Anchor(mail.Link, mail.LinkLabel)).Append("</p>\n");
        html.Append("<p style=\"color: #666; font-size: small\">").Append(Encode(Footer(lang))).Append("</p>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static string Anchor(string href, string text) => $"<a href=\"{Encode(href)}\">{Encode(text)}</a>";

    /// <summary>Every value is encoded (attribute-safe: quotes too); line breaks stay visible.</summary>
    private static string Encode(string value) => WebUtility.HtmlEncode(value).Replace("\r\n", "\n").Replace("\n", "<br>");
}

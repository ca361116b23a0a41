using Ganss.Xss;
using Markdig;

namespace MdrMesh.Incidents.Commenting;

/// <summary>
/// <c>markdown_to_html</c>: comment and caption text rendered from Markdown to HTML that a browser
/// can show without running anything. Raw HTML in the text is escaped, not passed through; the
/// result is then cleaned by an allow-list sanitizer (no script, no event handlers, no
/// <c>javascript:</c> or <c>data:</c> links), so a gap in one layer is closed by the other.
/// </summary>
public static class MarkdownHtml
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .DisableHtml()
        .UsePipeTables()
        .UseAutoLinks()
        .UseEmphasisExtras()
        .Build();

    private static readonly HtmlSanitizer Sanitizer = CreateSanitizer();

    public static string Render(string markdown) => Sanitizer.Sanitize(Markdown.ToHtml(markdown, Pipeline));

    private static HtmlSanitizer CreateSanitizer()
    {
        var sanitizer = new HtmlSanitizer();
        // No images: one would load from wherever its URL points as soon as the text is shown (a tracking beacon in a SOC console).
        sanitizer.AllowedTags.Remove("img");
        sanitizer.AllowedSchemes.Clear();
        foreach (var scheme in new[] { "http", "https", "mailto" }) sanitizer.AllowedSchemes.Add(scheme);
        // Links open outside the console and give the target no handle on it.
        sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is AngleSharp.Dom.IElement { TagName: "A" } link) link.SetAttribute("rel", "noopener noreferrer nofollow");
        };
        return sanitizer;
    }
}

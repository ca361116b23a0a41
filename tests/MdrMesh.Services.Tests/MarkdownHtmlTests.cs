using MdrMesh.Incidents.Commenting;

namespace MdrMesh.Services.Tests;

/// <summary><c>markdown_to_html</c>: Markdown as HTML, and nothing in it that a browser would run.</summary>
public sealed class MarkdownHtmlTests
{
    [Theory]
    [InlineData("<script>alert(1)</script>", "<script")]
    [InlineData("<img src=x onerror=alert(1)>", "onerror")]
    [InlineData("[click](javascript:alert(1))", "javascript:")]
    [InlineData("[click](JaVaScRiPt:alert(1))", "avascript")]
    [InlineData("![x](javascript:alert(1))", "javascript:")]
    [InlineData("<a href=\"javascript:alert(1)\">x</a>", "javascript:")]
    [InlineData("[x](data:text/html;base64,PHNjcmlwdD4=)", "data:")]
    [InlineData("<iframe src=https://evil.example></iframe>", "<iframe")]
    [InlineData("<svg onload=alert(1)>", "onload")]
    [InlineData("[x](https://ok.example \"t\" onmouseover=alert(1))", "onmouseover=")]
    public void What_could_run_is_removed(string markdown, string forbidden)
    {
        // Read as a browser would: text that merely mentions "onerror" is harmless; an attribute or element is not.
        var document = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(MarkdownHtml.Render(markdown));
        var elements = document.Body!.QuerySelectorAll("*");
        Assert.DoesNotContain(elements, e => e.LocalName is "script" or "iframe" or "svg" or "img" or "object" or "embed");
        Assert.DoesNotContain(elements.SelectMany(e => e.Attributes), a => a.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(elements.SelectMany(e => e.Attributes).Where(a => a.Name is "href" or "src"),
            a => !a.Value.StartsWith("https:", StringComparison.Ordinal) && !a.Value.StartsWith("http:", StringComparison.Ordinal)
                 && !a.Value.StartsWith("mailto:", StringComparison.Ordinal));
        Assert.DoesNotContain(elements.SelectMany(e => e.Attributes), a => a.Value.Contains(forbidden, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Markdown_becomes_html()
    {
        var html = MarkdownHtml.Render("# Found\n\n**ransomware** on `WS-1`, see [ticket](https://tickets.example/42)\n\n- one\n- two");
        Assert.Contains("<h1", html);
        Assert.Contains("<strong>ransomware</strong>", html);
        Assert.Contains("<code>WS-1</code>", html);
        Assert.Contains("href=\"https://tickets.example/42\"", html);
        Assert.Contains("rel=\"noopener noreferrer nofollow\"", html);
        Assert.Contains("<li>two</li>", html);
    }

    [Fact]
    public void Raw_html_is_shown_as_text_not_markup() =>
        Assert.Contains("&lt;b&gt;", MarkdownHtml.Render("<b>not bold</b>"));
}

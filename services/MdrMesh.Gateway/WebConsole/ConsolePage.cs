using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MdrMesh.Gateway.WebConsole;

/// <summary>A page for a signed-in user: until the one-time password is changed, every page leads to the password page.</summary>
public abstract class ConsolePage : PageModel
{
    public ConsoleUser CurrentUser => HttpContext.User() ?? throw new InvalidOperationException("No signed-in user.");

    public override async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        if (HttpContext.User() is { MustChangePassword: true } && this is not Pages.PasswordModel)
        {
            context.Result = new RedirectToPageResult("/Password");
            return;
        }
        await next();
    }

    /// <summary>When an API time (Unix ms) was, as the console shows it (UTC).</summary>
    public static string Time(long unixMs) => DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'");
}

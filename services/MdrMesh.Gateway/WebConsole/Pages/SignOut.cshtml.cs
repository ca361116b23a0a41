using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MdrMesh.Gateway.WebConsole.Pages;

/// <summary>Sign-out: a form post (antiforgery-checked), never a link another site could make a browser follow.</summary>
public sealed class SignOutModel : PageModel
{
    public IActionResult OnGet() => LocalRedirect("/incidents");

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(ConsoleSetup.Scheme);
        return LocalRedirect("/signin");
    }
}

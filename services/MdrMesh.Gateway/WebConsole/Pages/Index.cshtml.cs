using Microsoft.AspNetCore.Mvc;

namespace MdrMesh.Gateway.WebConsole.Pages;

public sealed class IndexModel : ConsolePage
{
    public IActionResult OnGet() => LocalRedirect("/incidents");
}

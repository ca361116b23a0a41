using Marten;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MdrMesh.Gateway.WebConsole.Pages;

/// <summary>
/// Sign-in. A wrong user name, a wrong password, a locked-out or a disabled user all get the same answer, so the page
/// tells an attacker nothing about which names exist; the log tells the operator.
/// </summary>
public sealed class SignInModel(IDocumentStore store, TimeProvider clock, ILogger<SignInModel> log) : PageModel
{
    public const string Refused = "The user name or password is wrong, or the account is locked for 15 minutes after 5 failures in a row.";

    public string? Error { get; private set; }
    public string? UserName { get; private set; }
    public string ReturnUrl { get; private set; } = "/incidents";

    public void OnGet(string? returnUrl) => ReturnUrl = Local(returnUrl);

    public async Task<IActionResult> OnPostAsync(string? userName, string? password, string? returnUrl, CancellationToken ct)
    {
        ReturnUrl = Local(returnUrl);
        UserName = userName?.Length <= 128 ? userName : null;
        if (string.IsNullOrEmpty(userName) || userName.Length > 128 || string.IsNullOrEmpty(password))
        {
            Error = Refused;
            return Page();
        }
        await using var session = store.LightweightSession();
        var user = await session.Query<ConsoleUser>().FirstOrDefaultAsync(u => u.Name.Equals(userName, StringComparison.OrdinalIgnoreCase), ct);
        if (user is null)
        {
            // As long as a real check: the time taken does not tell which names exist.
            SignInRules.Decide(new ConsoleUser { PasswordHash = SignInRules.Hash("not a password of anyone") }, password, clock.GetUtcNow());
            log.LogWarning("Console sign-in refused: no such user");
            Error = Refused;
            return Page();
        }
        var (outcome, updated) = SignInRules.Decide(user, password, clock.GetUtcNow());
        if (updated != user)
        {
            session.Update(updated);
            try
            {
                await session.SaveChangesAsync(ct);
            }
            catch (Exception e) when (ServiceDefaults.EventWrites.IsConflict(e))
            {
                // Another sign-in of the same user changed it first: this attempt is refused, to be tried again. The one
                // write that is not decided again (EventWrites): that would hash the password again, which an attacker
                // racing sign-ins of one user would multiply.
                outcome = outcome == SignInOutcome.SignedIn ? SignInOutcome.WrongCredentials : outcome;
            }
        }
        if (outcome != SignInOutcome.SignedIn)
        {
            log.LogWarning("Console sign-in of user {UserId} refused: {Outcome}", user.Id, outcome);
            Error = Refused;
            return Page();
        }
        await HttpContext.SignInAsync(ConsoleSetup.Scheme, ConsoleSetup.Principal(updated));
        log.LogInformation("Console sign-in of user {UserId}", user.Id);
        return LocalRedirect(updated.MustChangePassword ? "/password" : ReturnUrl);
    }

    private string Local(string? url) => url is { Length: > 0 and < 2048 } && Url.IsLocalUrl(url) && !url.StartsWith("/signin", StringComparison.Ordinal) ? url : "/incidents";
}

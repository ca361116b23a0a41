using Marten;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;

namespace MdrMesh.Gateway.WebConsole.Pages;

/// <summary>The user's own password: the current one is asked again; a change ends the user's other sessions (new session stamp).</summary>
public sealed class PasswordModel(IDocumentStore store, TimeProvider clock, ILogger<PasswordModel> log) : ConsolePage
{
    public Dictionary<string, string> Errors { get; } = [];
    public bool Done { get; private set; }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(string? current, string? password, string? confirm, CancellationToken ct)
    {
        var user = CurrentUser;
        if (SignInRules.Decide(user, current ?? "", clock.GetUtcNow()).Outcome != SignInOutcome.SignedIn) Errors["current"] = "is not your current password";
        else if (SignInRules.CheckNewPassword(user, password) is { } rule) Errors["password"] = rule;
        else if (password != confirm) Errors["confirm"] = "must be the new password again";
        if (Errors.Count > 0) return Page();

        await using var session = store.LightweightSession();
        // Loaded in this session, so the write is checked against the version read (a concurrent change fails it).
        var stored = await session.LoadAsync<ConsoleUser>(user.Id, ct) ?? user;
        var changed = stored with { PasswordHash = SignInRules.Hash(password!), MustChangePassword = false, SessionStamp = SignInRules.NewSessionStamp() };
        session.Update(changed);
        await session.SaveChangesAsync(ct);
        await HttpContext.SignInAsync(ConsoleSetup.Scheme, ConsoleSetup.Principal(changed));
        HttpContext.Items[typeof(ConsoleUser)] = changed;
        log.LogInformation("Console user {UserId} changed their password", user.Id);
        if (user.MustChangePassword) return LocalRedirect("/incidents");
        Done = true;
        return Page();
    }
}

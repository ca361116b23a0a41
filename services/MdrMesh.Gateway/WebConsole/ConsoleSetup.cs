using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace MdrMesh.Gateway.WebConsole;

/// <summary>
/// The web console, served by the gateway at <c>/</c>: Razor Pages (no JavaScript build chain; the one small script is
/// served from the app itself, never a CDN), cookie sign-in (HttpOnly, SameSite=Strict, Secure over TLS, 30 minutes
/// idle), antiforgery on every form, and a Content-Security-Policy that allows no inline script.
/// </summary>
public static class ConsoleSetup
{
    public const string Scheme = "MdrMeshConsole";
    public const string Policy = "console-user";
    public const string UserIdClaim = "mdrmesh:user";
    public const string StampClaim = "mdrmesh:stamp";
    public const string MustChangeClaim = "mdrmesh:must-change-password";
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(30);

    private const string ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
                                                 + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static void AddWebConsole(this WebApplicationBuilder builder)
    {
        builder.AddConsoleKeys();
        builder.Services.AddRazorPages(options =>
            {
                options.RootDirectory = "/WebConsole/Pages";
                options.Conventions.AuthorizeFolder("/", Policy);
                options.Conventions.AllowAnonymousToPage("/SignIn");
            })
            // The pages are compiled into the gateway's assembly, which is not the entry assembly when a test hosts it.
            .ConfigureApplicationPartManager(parts =>
            {
                var gateway = typeof(ConsoleSetup).Assembly;
                if (parts.ApplicationParts.Any(p => p.Name == gateway.GetName().Name)) return;
                foreach (var part in Microsoft.AspNetCore.Mvc.ApplicationParts.ApplicationPartFactory.GetApplicationPartFactory(gateway).GetApplicationParts(gateway))
                    parts.ApplicationParts.Add(part);
            });
        builder.Services.AddAuthentication().AddCookie(Scheme, options =>
        {
            options.Cookie.Name = "mdrmesh.console";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.ExpireTimeSpan = IdleTimeout;
            options.SlidingExpiration = true;
            options.LoginPath = "/signin";
            options.LogoutPath = "/signout";
            options.AccessDeniedPath = "/signin";
            options.Events.OnValidatePrincipal = ValidateAsync;
        });
        builder.Services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser());
        builder.Services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "mdrmesh.antiforgery";
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        builder.Services.AddSingleton<ConsoleApi>();
    }

    /// <summary>Console pages, their headers and static files; the API's paths are left to the API.</summary>
    public static void UseWebConsole(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (IsConsolePath(context.Request.Path))
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XFrameOptions = "DENY";
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                // As antiforgery sets it on a page with a form (it logs a warning per page when it has to override another value).
                headers.CacheControl = "no-cache, no-store";
                headers.Pragma = "no-cache";
            }
            await next(context);
        });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = new StaticFiles() });
    }

    /// <summary>The console's script and styles, embedded in the gateway's assembly (see the project file).</summary>
    private sealed class StaticFiles : Microsoft.Extensions.FileProviders.IFileProvider
    {
        private static readonly System.Reflection.Assembly Assembly = typeof(ConsoleSetup).Assembly;

        public Microsoft.Extensions.FileProviders.IFileInfo GetFileInfo(string subpath) =>
            subpath is "/console.js" or "/console.css"
                ? new Microsoft.Extensions.FileProviders.Embedded.EmbeddedResourceFileInfo(Assembly, "console" + subpath, subpath[1..], DateTimeOffset.UnixEpoch)
                : new Microsoft.Extensions.FileProviders.NotFoundFileInfo(subpath);

        public Microsoft.Extensions.FileProviders.IDirectoryContents GetDirectoryContents(string subpath) =>
            Microsoft.Extensions.FileProviders.NotFoundDirectoryContents.Singleton;

        public Microsoft.Extensions.Primitives.IChangeToken Watch(string filter) => Microsoft.Extensions.FileProviders.NullChangeToken.Singleton;
    }

    public static void MapWebConsole(this WebApplication app) => app.MapRazorPages();

    private static bool IsConsolePath(PathString path) =>
        !path.StartsWithSegments("/api") && !path.StartsWithSegments("/reference") && !path.StartsWithSegments("/openapi")
        && !path.StartsWithSegments("/health") && !path.StartsWithSegments("/metrics");

    public static ClaimsPrincipal Principal(ConsoleUser user) => new(new ClaimsIdentity(
    [
        new Claim(UserIdClaim, user.Id), new Claim(ClaimTypes.Name, user.Name), new Claim(StampClaim, user.SessionStamp),
        new Claim(MustChangeClaim, user.MustChangePassword ? "true" : "false"),
    ], Scheme));

    /// <summary>
    /// Every request re-reads the user: a disabled user, a password changed elsewhere or new rights end the session at
    /// once (the session stamp changes), and the page acts with the rights the user holds now.
    /// </summary>
    private static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var id = context.Principal?.FindFirstValue(UserIdClaim);
        var stamp = context.Principal?.FindFirstValue(StampClaim);
        ConsoleUser? user = null;
        if (id is not null)
        {
            await using var query = context.HttpContext.RequestServices.GetRequiredService<IDocumentStore>().QuerySession();
            user = await query.LoadAsync<ConsoleUser>(id, context.HttpContext.RequestAborted);
        }
        if (user is null || user.DisabledAt is not null || user.SessionStamp != stamp)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
            return;
        }
        context.HttpContext.Items[typeof(ConsoleUser)] = user;
    }

    /// <summary>The signed-in user as the cookie's validation loaded it on this request.</summary>
    public static ConsoleUser? User(this HttpContext context) => context.Items[typeof(ConsoleUser)] as ConsoleUser;
}

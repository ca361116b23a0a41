using Microsoft.Playwright;

namespace MdrMesh.Console.Tests;

/// <summary>
/// Headless Chromium from Debian (<c>apt-get install chromium</c>; deploy/test.sh installs it), driven by Playwright, which
/// downloads nothing. One browser for the whole run; each test gets its own context (cookies) per user.
/// </summary>
public sealed class Browser : IAsyncLifetime
{
    private IPlaywright _playwright = null!;
    public IBrowser Chromium { get; private set; } = null!;

    /// <summary>Where the tests keep their screenshots (the README shows them).</summary>
    public static readonly string Screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        Chromium = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("MDRMESH_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        Directory.CreateDirectory(Screenshots);
    }

    public async Task DisposeAsync()
    {
        await Chromium.CloseAsync();
        _playwright.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class ConsoleCollection : ICollectionFixture<Infrastructure>, ICollectionFixture<Browser>
{
    public const string Name = "console";
}

/// <summary>A person at the console: their own browser context (cookies), signed in through the sign-in page.</summary>
public sealed class Person(IBrowserContext context, IPage page, string baseUrl) : IAsyncDisposable
{
    public IPage Page { get; } = page;
    public IBrowserContext Context { get; } = context;
    public string BaseUrl { get; } = baseUrl;

    public static async Task<Person> OpenAsync(Browser browser, Mesh mesh)
    {
        var context = await browser.Chromium.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        return new Person(context, await context.NewPageAsync(), mesh.ServiceAddress("Gateway"));
    }

    public async Task SignInAsync(string userName, string password)
    {
        await Page.GotoAsync($"{BaseUrl}/signin");
        await Page.GetByLabel("User name").FillAsync(userName);
        await Page.GetByLabel("Password").FillAsync(password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    /// <summary>Signs in with a one-time password and sets <paramref name="newPassword"/>, as a new user's first sign-in must.</summary>
    public async Task FirstSignInAsync(string userName, string oneTimePassword, string newPassword)
    {
        await SignInAsync(userName, oneTimePassword);
        await ArriveAtAsync("**/password", $"signing in {userName} with a one-time password");
        await Page.GetByLabel("Current password").FillAsync(oneTimePassword);
        await Page.GetByLabel("New password (at least 12 characters)").FillAsync(newPassword);
        await Page.GetByLabel("New password again").FillAsync(newPassword);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await ArriveAtAsync("**/incidents", $"changing the one-time password of {userName}");
    }

    /// <summary>Waits to arrive at <paramref name="url"/>; if it does not, says where the browser is and what it shows.</summary>
    public async Task ArriveAtAsync(string url, string doing)
    {
        try
        {
            // Arrived once the navigation commits: the elements a test then uses are waited for by their own locators. Waiting
            // for the load event too timed out once in CI on a page already shown (Page.Url matched).
            await Page.WaitForURLAsync(url, new PageWaitForURLOptions { Timeout = 60_000, WaitUntil = WaitUntilState.Commit });
        }
        catch (TimeoutException e)
        {
            var shown = await Page.Locator("body").InnerTextAsync(new LocatorInnerTextOptions { Timeout = 5_000 });
            throw new TimeoutException($"{doing}: not at {url} after 60 s but at {Page.Url}, showing: {shown[..Math.Min(shown.Length, 600)]}", e);
        }
    }

    public Task ScreenshotAsync(string name) =>
        Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browser.Screenshots, name + ".png"), FullPage = true });

    public async ValueTask DisposeAsync() => await Context.CloseAsync();
}

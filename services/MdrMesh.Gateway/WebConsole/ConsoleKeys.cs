using System.Security.Cryptography;
using System.Xml.Linq;
using Marten;
using MdrMesh.Gateway.Access;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.Options;

namespace MdrMesh.Gateway.WebConsole;

/// <summary>
/// The keys that protect the console's sign-in cookie and its forms' antiforgery tokens (ASP.NET Core's data protection),
/// kept in the gateway's schema and sealed there: a restarted or upgraded gateway, or a second one, reads the cookies the
/// first issued, so nobody is signed out mid-task; a copy of the database alone forges no cookie. In memory, as before,
/// every restart signed everybody out and failed every form open in a browser. Sealed under a key derived from the token
/// signing key (<see cref="SigningKeySealer"/>): after a rotation, once the previous key is no longer configured, the old
/// keys no longer open, and everybody signs in again once.
/// </summary>
public static class ConsoleKeys
{
    public static void AddConsoleKeys(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ConsoleKeySealer>();
        builder.Services.AddDataProtection().SetApplicationName("mdrmesh-console");
        builder.Services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(services => new ConfigureOptions<KeyManagementOptions>(options =>
        {
            options.XmlRepository = new ConsoleKeyRepository(services.GetRequiredService<IDocumentStore>());
            options.XmlEncryptor = new ConsoleKeyEncryptor(services.GetRequiredService<ConsoleKeySealer>());
        }));
    }
}

/// <summary>One element of the key ring (a key, or a revocation) as data protection wrote it: the key material inside is sealed.</summary>
public sealed record ConsoleKey(string Id, string Xml);

public sealed class ConsoleKeySealer(IOptions<AccessOptions> options) : SigningKeySealer(options.Value, "console-key");

/// <summary>
/// Data protection's store. Its interface is synchronous, and Marten's is not: each call waits for its query (it runs at
/// the first protected request, about once a day after, and once per new key).
/// </summary>
public sealed class ConsoleKeyRepository(IDocumentStore store) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements() => Task.Run(async () =>
    {
        await using var query = store.QuerySession();
        return (await query.Query<ConsoleKey>().ToListAsync()).Select(k => XElement.Parse(k.Xml)).ToList();
    }).GetAwaiter().GetResult();

    public void StoreElement(XElement element, string friendlyName) => Task.Run(async () =>
    {
        await using var session = store.LightweightSession();
        // A friendly name is unique (key-{id}, revocation-{time}); a suffix all the same, so nothing is ever overwritten.
        session.Insert(new ConsoleKey($"{friendlyName}-{Guid.NewGuid():N}", element.ToString(SaveOptions.DisableFormatting)));
        await session.SaveChangesAsync();
    }).GetAwaiter().GetResult();
}

/// <summary>Seals a key's secret part as data protection hands it over.</summary>
public sealed class ConsoleKeyEncryptor(ConsoleKeySealer sealer) : IXmlEncryptor
{
    public const string Purpose = "data-protection-key";

    public EncryptedXmlInfo Encrypt(XElement plaintextElement) =>
        new(new XElement("sealed", sealer.Seal(plaintextElement.ToString(SaveOptions.DisableFormatting), Purpose)), typeof(ConsoleKeyDecryptor));
}

/// <summary>Opens a sealed key; data protection creates it by its type name, with the gateway's services.</summary>
public sealed class ConsoleKeyDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement) =>
        XElement.Parse(services.GetRequiredService<ConsoleKeySealer>().Open(encryptedElement.Value, ConsoleKeyEncryptor.Purpose)
                       ?? throw new CryptographicException("A console key does not open: sealed under a signing key no longer configured, or altered."));
}

using System.Security.Cryptography;
using MdrMesh.Gateway.Access;
using Microsoft.Extensions.Options;

namespace MdrMesh.Services.Tests;

/// <summary>The gateway's sealed idempotent answers (api_connections/create holds a refresh token): they open for their record only.</summary>
public class AnswerSealerTests
{
    private static readonly string Key1 = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private static readonly string Key2 = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private static AnswerSealer Sealer(string key, string keyId, string? previous = null, string? previousId = null) =>
        new(Options.Create(new AccessOptions { SigningKey = key, SigningKeyId = keyId, PreviousSigningKey = previous, PreviousSigningKeyId = previousId }));

    [Fact]
    public void A_sealed_answer_opens_for_its_record_only_and_not_when_tampered_with()
    {
        var sealer = Sealer(Key1, "k1");
        var id = Guid.NewGuid();
        const string answer = """{"client_id":"c1","refresh_token":"eyJ.secret.sig"}""";

        var sealedAnswer = sealer.Seal(answer, id);

        Assert.DoesNotContain("secret", sealedAnswer);
        Assert.NotEqual(sealedAnswer, sealer.Seal(answer, id)); // a nonce of its own each time
        Assert.Equal(answer, sealer.Open(sealedAnswer, id));
        Assert.Null(sealer.Open(sealedAnswer, Guid.NewGuid()));
        var parts = sealedAnswer.Split(':');
        var ciphertext = Convert.FromBase64String(parts[1]);
        ciphertext[0] ^= 1;
        Assert.Null(sealer.Open(string.Join(':', parts[0], Convert.ToBase64String(ciphertext), parts[2], parts[3]), id));
        Assert.Null(sealer.Open("not sealed", id));
    }

    [Fact]
    public void After_a_signing_key_rotation_old_answers_open_while_the_previous_key_is_kept()
    {
        var id = Guid.NewGuid();
        var sealedAnswer = Sealer(Key1, "k1").Seal("{}", id);

        Assert.Equal("{}", Sealer(Key2, "k2", Key1, "k1").Open(sealedAnswer, id));
        Assert.Null(Sealer(Key2, "k2").Open(sealedAnswer, id));
        // The same key id with another key (a key replaced, not rotated) does not open it either.
        Assert.Null(Sealer(Key2, "k1").Open(sealedAnswer, id));
    }
}

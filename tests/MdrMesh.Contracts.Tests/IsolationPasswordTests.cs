using System.Text;
using MdrMesh.Contracts.Isolation;

namespace MdrMesh.Contracts.Tests;

public class IsolationPasswordTests
{
    [Fact]
    public void Pbkdf2_matches_the_known_vector_of_the_spec()
    {
        var key = IsolationPassword.DeriveKey("password", Encoding.ASCII.GetBytes("salt"), iterations: 1, length: 32);

        Assert.Equal("120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b", Convert.ToHexStringLower(key));
    }

    [Fact]
    public void Pbkdf2_matches_the_published_vectors()
    {
        // PBKDF2-HMAC-SHA256 vectors as published for RFC 6070's inputs: 4,096 iterations, and a 40-byte key over two blocks.
        Assert.Equal("c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a",
            Convert.ToHexStringLower(IsolationPassword.DeriveKey("password", Encoding.ASCII.GetBytes("salt"), 4096, 32)));
        Assert.Equal("348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1c635518c7dac47e9",
            Convert.ToHexStringLower(IsolationPassword.DeriveKey("passwordPASSWORDpassword",
                Encoding.ASCII.GetBytes("saltSALTsaltSALTsaltSALTsaltSALTsalt"), 4096, 40)));
    }

    [Fact]
    public void Verify_accepts_the_password_at_version_1_iterations_and_nothing_else()
    {
        var details = new IsolationPasswordDetails(1, Convert.ToHexStringLower(Encoding.ASCII.GetBytes("salt")),
            Convert.ToHexStringLower(System.Security.Cryptography.Rfc2898DeriveBytes.Pbkdf2("password"u8.ToArray(), "salt"u8.ToArray(), 10_000,
                System.Security.Cryptography.HashAlgorithmName.SHA256, 32)));

        Assert.True(IsolationPassword.Verify("password", details));
        Assert.False(IsolationPassword.Verify("Password", details));
    }

    [Fact]
    public void Generated_details_are_version_1_with_a_32_byte_key_and_verify_the_password()
    {
        var generated = IsolationPassword.Generate();

        Assert.Equal(1, generated.Details.Version);
        Assert.Equal(64, generated.Details.DerivedKey.Length);
        Assert.Equal(32, generated.Details.Salt.Length);
        Assert.True(Guid.TryParse(generated.TaskId, out _));
        Assert.True(IsolationPassword.Verify(generated.Password, generated.Details));
        Assert.False(IsolationPassword.Verify(generated.Password + "x", generated.Details));
    }

    [Fact]
    public void Two_generations_differ_in_password_salt_and_task()
    {
        var a = IsolationPassword.Generate();
        var b = IsolationPassword.Generate();

        Assert.NotEqual(a.Password, b.Password);
        Assert.NotEqual(a.Details.Salt, b.Details.Salt);
        Assert.NotEqual(a.TaskId, b.TaskId);
    }

    [Fact]
    public void Verify_refuses_unknown_versions_and_malformed_details()
    {
        var generated = IsolationPassword.Generate();

        Assert.False(IsolationPassword.Verify(generated.Password, generated.Details with { Version = 2 }));
        Assert.False(IsolationPassword.Verify(generated.Password, generated.Details with { Salt = "not hex" }));
    }

    [Fact]
    public void The_password_never_appears_in_printed_records()
    {
        var generated = IsolationPassword.Generate();
        var parameters = new MdrMesh.Contracts.Responses.IsolateParameters().WithPassword(generated);

        Assert.DoesNotContain(generated.Password, generated.ToString());
        Assert.DoesNotContain(generated.Password, parameters.ToString());
        Assert.Contains(generated.TaskId, parameters.ToString());
    }
}

using MdrMesh.Notifications.Webhooks;

namespace MdrMesh.Services.Tests.Notifications;

public class WebhookSignatureTests
{
    // The Standard Webhooks specification's published example.
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string Id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const long Timestamp = 1614265330;
    private const string Body = """{"test": 2432232314}""";
    private const string Expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    [Fact]
    public void Signs_the_specifications_example_as_it_publishes() =>
        Assert.Equal(Expected, WebhookSignature.Sign(Secret, Id, Timestamp, Body));

    [Fact]
    public void Verifies_the_example_and_refuses_any_change()
    {
        Assert.True(WebhookSignature.Verify(Secret, Id, Timestamp, Body, Expected));
        Assert.True(WebhookSignature.Verify(Secret, Id, Timestamp, Body, $"v1,bm90IGl0 {Expected}"));
        Assert.False(WebhookSignature.Verify(Secret, Id, Timestamp + 1, Body, Expected));
        Assert.False(WebhookSignature.Verify(Secret, "msg_other", Timestamp, Body, Expected));
        Assert.False(WebhookSignature.Verify(Secret, Id, Timestamp, """{"test": 2432232315}""", Expected));
        Assert.False(WebhookSignature.Verify(WebhookSignature.NewSecret(), Id, Timestamp, Body, Expected));
        Assert.False(WebhookSignature.Verify(Secret, Id, Timestamp, Body, Expected.Replace("v1,", "v2,")));
        Assert.False(WebhookSignature.Verify(Secret, Id, Timestamp, Body, "v1,not base64!"));
        Assert.False(WebhookSignature.Verify(Secret, Id, Timestamp, Body, ""));
    }

    [Fact]
    public void A_new_secret_is_32_random_bytes_in_the_whsec_form()
    {
        var secret = WebhookSignature.NewSecret();
        Assert.StartsWith("whsec_", secret);
        Assert.Equal(32, Convert.FromBase64String(secret["whsec_".Length..]).Length);
        Assert.NotEqual(secret, WebhookSignature.NewSecret());
        var signature = WebhookSignature.Sign(secret, Id, Timestamp, Body);
        Assert.True(WebhookSignature.Verify(secret, Id, Timestamp, Body, signature));
    }
}

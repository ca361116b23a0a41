namespace MdrMesh.Notifications;

/// <summary>Settings of section <c>Notifications</c>.</summary>
public sealed class NotificationsOptions
{
    /// <summary>The console's address, for the links notifications carry.</summary>
    public string ConsoleUrl { get; set; } = "http://127.0.0.1:8080/";

    /// <summary>How long a delivery is retried before it is given up (and a subscription failing that long, disabled).</summary>
    public TimeSpan RetryWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>More notifications than this in one minute for one subscription: the rest of the minute's go as one digest.</summary>
    public int DigestThreshold { get; set; } = 10;

    /// <summary>The key webhook secrets are sealed with at rest (32 bytes, base64).</summary>
    public string? SecretKey { get; set; }

    /// <summary>How often the sender looks for deliveries that are due when nothing woke it.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The SMTP relay e-mail goes through.</summary>
    public SmtpOptions Smtp { get; set; } = new();
}

public sealed class SmtpOptions
{
    public string Host { get; set; } = "localhost";
    public int Port { get; set; } = 25;
    public string? Username { get; set; }
    public string? Password { get; set; }
    /// <summary><c>None</c>, <c>StartTls</c> (when offered: <c>Auto</c>), or <c>SslOnConnect</c>.</summary>
    public string Security { get; set; } = "Auto";
    public string From { get; set; } = "MdrMesh <mdrmesh@localhost>";
}

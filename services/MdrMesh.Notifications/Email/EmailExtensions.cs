namespace MdrMesh.Notifications.Email;

public static class EmailExtensions
{
    /// <summary>The e-mail channel: <see cref="EmailSender"/>, configured by <c>Notifications:Smtp</c>.</summary>
    public static IServiceCollection AddEmail(this IServiceCollection services) => services.AddSingleton<EmailSender>();
}

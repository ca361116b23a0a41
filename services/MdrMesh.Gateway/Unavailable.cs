namespace MdrMesh.Gateway;

/// <summary>Answers that tell the caller to come back: problem+json with <c>Retry-After</c>.</summary>
public static class Unavailable
{
    public static IResult Problem(int status, string title, int retryAfterSeconds = 5) =>
        new RetryAfter(Results.Problem(statusCode: status, title: title, detail: "Retry after the time in Retry-After."), retryAfterSeconds);

    private sealed class RetryAfter(IResult inner, int seconds) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return inner.ExecuteAsync(context);
        }
    }
}

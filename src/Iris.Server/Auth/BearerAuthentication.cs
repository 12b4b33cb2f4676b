using Iris.Auth;
using Iris.Models;
using Iris.Server.Api;
using Microsoft.AspNetCore.Http;

namespace Iris.Server.Auth;

/// <summary>
/// Authenticates every /api route as the contract says: no Bearer header → 403, a token that is
/// malformed, unknown, revoked or wrong → 401 with <c>WWW-Authenticate: Bearer</c>; then takes the request
/// from the credential's rate limit (429 with <c>Retry-After</c> when it is used up).
/// </summary>
public sealed class BearerAuthenticationFilter(CredentialVerifier verifier, CredentialRateLimiter rateLimiter) : IEndpointFilter
{
    private static readonly object CallerKey = new();

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        switch (AuthorizationHeader.Parse(http.Request.Headers.Authorization, out var token))
        {
            case AuthorizationHeaderKind.Missing:
                return Errors.NotAuthenticated;
            case AuthorizationHeaderKind.Malformed:
                return Unauthorized(http);
        }
        // Only a client id this server does not remember costs a catalog lookup; an address that keeps sending
        // made-up ones is refused before that. Known clients are never held up by others on the same address.
        var address = http.Connection.RemoteIpAddress?.ToString() ?? "";
        if (!verifier.Remembers(token.ClientId) && !rateLimiter.MayTryToAuthenticate(address, out var wait))
            return TooManyRequests(http, wait, "Too many refused authentications from this address");
        var caller = await verifier.VerifyAsync(token, http.RequestAborted);
        if (caller is null)
        {
            rateLimiter.RecordRefusal(address);
            return Unauthorized(http);
        }
        if (!rateLimiter.TryAcquire(caller, out var retryAfter))
            return TooManyRequests(http, retryAfter, "Too many requests for this credential");
        http.Items[CallerKey] = caller;
        return await next(context);
    }

    private static IResult TooManyRequests(HttpContext http, TimeSpan retryAfter, string what)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Errors.Json(StatusCodes.Status429TooManyRequests, $"{what}; retry after {seconds} second{(seconds == 1 ? "" : "s")}.");
    }

    private static IResult Unauthorized(HttpContext http)
    {
        http.Response.Headers.WWWAuthenticate = "Bearer";
        return Errors.InvalidCredentials;
    }

    /// <summary>The authenticated caller of a request that passed this filter.</summary>
    public static Caller GetCaller(HttpContext http) =>
        http.Items[CallerKey] as Caller ?? throw new InvalidOperationException("The endpoint is not behind BearerAuthenticationFilter.");
}

public static class CallerExtensions
{
    public static Caller Caller(this HttpContext http) => BearerAuthenticationFilter.GetCaller(http);
}

using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Iris.Server.Api;

/// <summary>
/// An outage of Iris's own catalog or blob store answers 503 with an <see cref="ErrorResponse"/> and
/// <c>Retry-After</c>: the client may retry, nothing was lost. Logged as one line at most every 10 seconds (an outage
/// is a state, not a thousand errors).
/// </summary>
public sealed class OutageFilter(ILogger<OutageFilter> logger, TimeProvider time) : IEndpointFilter
{
    private static readonly TimeSpan LogEvery = TimeSpan.FromSeconds(10);
    private long _lastLogged = long.MinValue;
    private int _since;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (ServiceUnavailableException e)
        {
            var now = time.GetTimestamp();
            var answered = Interlocked.Increment(ref _since);
            var last = Interlocked.Read(ref _lastLogged);
            if ((last == long.MinValue || time.GetElapsedTime(last, now) >= LogEvery) && Interlocked.CompareExchange(ref _lastLogged, now, last) == last)
            {
                Interlocked.Exchange(ref _since, 0);
                logger.LogWarning("Answering 503 ({Requests} since the last note): {Reason}", answered, e.Message);
            }
            context.HttpContext.Response.Headers.RetryAfter = "2";
            return Errors.Json(StatusCodes.Status503ServiceUnavailable, e.Message);
        }
    }
}

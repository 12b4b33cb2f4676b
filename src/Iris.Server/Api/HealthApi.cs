using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Iris.Server.Api;

public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", Ok<HealthResponse> () => TypedResults.Ok(new HealthResponse("ok")))
            .WithName("healthz")
            .WithTags("Health")
            .WithSummary("Liveness: 200 while the server answers; needs no credentials");
        return app;
    }
}

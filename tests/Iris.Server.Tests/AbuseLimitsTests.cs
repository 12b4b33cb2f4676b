using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Iris.Testing;

namespace Iris.Server.Tests;

/// <summary>
/// One noisy client cannot take the service down: per-credential rate limits (429 + Retry-After) and slow
/// connections (slow-loris) cut off by Kestrel's header timeout and minimum data rates. Each test starts its own
/// server with tight limits, so the shared fixture's defaults stay generous.
/// </summary>
public sealed class AbuseLimitsTests
{
    [Fact]
    public async Task A_credential_over_its_rate_gets_429_with_retry_after_while_others_are_served()
    {
        await using var server = await IrisTestServer.StartAsync(extraArgs: ["--rate-limit", "2", "--rate-limit-burst", "5"]);
        var other = await server.CreateClientAsync("rate-other");
        using var noisy = new IrisHttp(server.BaseUri, "Bearer " + server.Credential.AccessToken);
        using var quiet = new IrisHttp(server.BaseUri, "Bearer " + other.AccessToken);

        var answers = new List<ApiResponse>();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 12; i++) answers.Add(await noisy.GetAsync("/api/v1/datasets"));
        Assert.True(answers.Take(5).All(a => a.Code == 200), string.Join("\n", answers));
        // The burst of 5, then 2 per second: at most one more per half second that passed (plus one for the edge).
        var allowed = 5 + (int)(clock.Elapsed.TotalMilliseconds / 500) + 1;
        Assert.True(answers.Count(a => a.Code == 200) <= allowed, $"{answers.Count(a => a.Code == 200)} served in {clock.ElapsedMilliseconds} ms");
        var limited = answers.First(a => a.Code == 429);
        var detail = Expect.Error(limited, 429);
        Assert.Contains("retry after", detail, StringComparison.OrdinalIgnoreCase);
        var retryAfter = limited.Headers.RetryAfter?.Delta;
        Assert.True(retryAfter is { TotalSeconds: >= 1 and <= 60 }, $"Retry-After: {limited.Headers.RetryAfter}");
        Assert.True(answers.Count(a => a.Code == 429) >= 5, string.Join("\n", answers.Select(a => a.Code)));

        // Another credential has its own bucket; /healthz is never limited.
        Expect.Ok(await quiet.GetAsync("/api/v1/datasets"));
        using var anonymous = new IrisHttp(server.BaseUri, null);
        for (var i = 0; i < 10; i++) Expect.Ok(await anonymous.GetAsync("/healthz"));

        // The bucket refills: after the advertised wait the noisy credential is served again.
        await Task.Delay(retryAfter!.Value + TimeSpan.FromMilliseconds(200));
        Expect.Ok(await noisy.GetAsync("/api/v1/datasets"));
    }

    [Fact]
    public async Task Wrong_secrets_do_not_drain_a_credentials_bucket()
    {
        await using var server = await IrisTestServer.StartAsync(extraArgs: ["--rate-limit", "1", "--rate-limit-burst", "3"]);
        using var impostor = new IrisHttp(server.BaseUri, $"Bearer {server.Credential.ClientId}:wrong-secret");
        for (var i = 0; i < 10; i++) Expect.Error(await impostor.GetAsync("/api/v1/datasets"), 401, "Invalid authentication credentials");
        using var owner = new IrisHttp(server.BaseUri, "Bearer " + server.Credential.AccessToken);
        Expect.Ok(await owner.GetAsync("/api/v1/datasets"));
    }

    [Fact]
    public async Task An_address_sending_made_up_client_ids_is_slowed_down_but_known_clients_are_not()
    {
        await using var server = await IrisTestServer.StartAsync(extraArgs: ["--auth-failure-limit", "1"]);
        using var owner = new IrisHttp(server.BaseUri, "Bearer " + server.Credential.AccessToken);
        Expect.Ok(await owner.GetAsync("/api/v1/datasets")); // known to the server from now on

        var answers = new List<ApiResponse>();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 15; i++)
        {
            using var guesser = new IrisHttp(server.BaseUri, $"Bearer guess-{i}:secret");
            answers.Add(await guesser.GetAsync("/api/v1/datasets"));
        }
        // A bucket of 10 refusals, refilled at 1 per second: the first ten are looked up and refused, later ones held
        // off (one more per second that passed).
        Assert.All(answers.Take(10), a => Expect.Error(a, 401, "Invalid authentication credentials"));
        var refused = answers.Count(a => a.Code == 401);
        Assert.True(refused <= 10 + (int)clock.Elapsed.TotalSeconds + 1, $"{refused} looked up in {clock.ElapsedMilliseconds} ms");
        var held = answers.Where(a => a.Code != 401).ToList();
        Assert.NotEmpty(held);
        Assert.All(held, a => Assert.Contains("refused authentications", Expect.Error(a, 429), StringComparison.Ordinal));
        Assert.True(held[0].Headers.RetryAfter?.Delta is { TotalSeconds: >= 1 }, held[0].ToString());

        // The known credential from the same address is still served.
        Expect.Ok(await owner.GetAsync("/api/v1/datasets"));
    }

    [Fact]
    public async Task Rate_limit_zero_turns_the_limit_off()
    {
        await using var server = await IrisTestServer.StartAsync(extraArgs: ["--rate-limit", "0", "--rate-limit-burst", "1"]);
        using var http = new IrisHttp(server.BaseUri, "Bearer " + server.Credential.AccessToken);
        for (var i = 0; i < 30; i++) Expect.Ok(await http.GetAsync("/api/v1/datasets"));
    }

    [Fact]
    public async Task Slow_headers_and_slow_bodies_are_cut_off()
    {
        await using var server = await IrisTestServer.StartAsync(extraArgs: ["--headers-timeout", "2", "--min-data-rate", "2000"]);

        // Slow-loris: a header line every half second, never the blank line that ends them.
        var headers = await TrickleAsync(server.BaseUri, "GET /healthz HTTP/1.1\r\nHost: x\r\n", i => $"X-Slow-{i}: a\r\n");
        Assert.True(headers.Closed, $"The connection stayed open for {headers.Elapsed.TotalSeconds:0.0} s.");
        Assert.True(headers.Elapsed < TimeSpan.FromSeconds(10), $"Closed only after {headers.Elapsed.TotalSeconds:0.0} s.");

        // A body promised as 1 MB, sent at 20 bytes per 0.5 s (40 B/s, under the 2000 B/s minimum once the 5 s grace is over).
        var request = $"POST /api/v1/datasets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {server.Credential.AccessToken}\r\n"
                      + "Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n";
        var body = await TrickleAsync(server.BaseUri, request, _ => new string(' ', 20));
        Assert.True(body.Closed, $"The connection stayed open for {body.Elapsed.TotalSeconds:0.0} s.");
        Assert.True(body.Elapsed < TimeSpan.FromSeconds(15), $"Closed only after {body.Elapsed.TotalSeconds:0.0} s.");

        // The server still serves everybody else.
        using var http = new IrisHttp(server.BaseUri, "Bearer " + server.Credential.AccessToken);
        Expect.Ok(await http.GetAsync("/api/v1/datasets"));
    }

    private sealed record Trickled(bool Closed, TimeSpan Elapsed);

    /// <summary>Sends <paramref name="start"/>, then one more piece every 0.5 s for up to 30 s, until the server closes the connection.</summary>
    private static async Task<Trickled> TrickleAsync(Uri baseUri, string start, Func<int, string> piece)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, baseUri.Port);
        var stream = client.GetStream();
        var clock = Stopwatch.StartNew();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(start));
        var reading = DrainUntilClosedAsync(stream);
        for (var i = 0; clock.Elapsed < TimeSpan.FromSeconds(30); i++)
        {
            if (await Task.WhenAny(reading, Task.Delay(500)) == reading) return new Trickled(true, clock.Elapsed);
            try
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes(piece(i)));
            }
            catch (IOException)
            {
                return new Trickled(true, clock.Elapsed); // reset by the server
            }
        }
        return new Trickled(false, clock.Elapsed);
    }

    /// <summary>Reads (and drops) whatever the server answers (e.g. a 408) until it closes the connection.</summary>
    private static async Task DrainUntilClosedAsync(NetworkStream stream)
    {
        var buffer = new byte[4096];
        try
        {
            while (await stream.ReadAsync(buffer) > 0) { }
        }
        catch (IOException)
        {
            // reset: closed as well
        }
    }
}

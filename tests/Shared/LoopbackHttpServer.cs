using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Iris.Tests.Servers;

/// <summary>How a test response marks the end of its body.</summary>
public enum BodyFraming
{
    ContentLength,
    Chunked,
    /// <summary>No length and no chunking: the body ends when the connection closes.</summary>
    Close,
}

/// <summary>
/// A small HTTP/1.1 server on 127.0.0.1 (a raw socket, so a test controls every byte and every pause): each
/// path is mapped to a handler; every connection serves one request and is closed. Requests are counted per path.
/// </summary>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    public delegate Task Handler(HttpExchange exchange);

    private readonly TcpListener _listener;
    private readonly ConcurrentDictionary<string, Handler> _routes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _hits = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public LoopbackHttpServer()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = Task.Run(AcceptAsync);
    }

    public int Port { get; }

    /// <summary>The URL of <paramref name="path"/> (which starts with '/') on this server.</summary>
    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

    /// <summary>Maps <paramref name="path"/> (the raw request target, query included) and returns its URL.</summary>
    public string Map(string path, Handler handler)
    {
        _routes[path] = handler;
        return Url(path);
    }

    /// <summary>A fresh path under a random folder, so tests never share routes.</summary>
    public static string UniquePath(string name) => $"/{Guid.NewGuid():N}/{name}";

    /// <summary>How many requests reached <paramref name="path"/>.</summary>
    public int Hits(string path) => _hits.TryGetValue(path, out var n) ? n : 0;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try { await _accepting; } catch (Exception) { /* stopping */ }
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var head = await ReadHeadAsync(stream);
                if (head is null) return;
                var lines = head.Split("\r\n");
                var parts = lines[0].Split(' ');
                if (parts.Length < 3) return;
                var exchange = new HttpExchange(parts[0], parts[1], lines.Skip(1).Where(l => l.Length > 0).ToList(), stream, _stop.Token);
                _hits.AddOrUpdate(exchange.Target, 1, (_, n) => n + 1);
                if (_routes.TryGetValue(exchange.Target, out var handler)) await handler(exchange);
                else await exchange.SendAsync(404, "no such route"u8.ToArray(), "text/plain");
                await stream.FlushAsync();
                client.Client.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // the client went away (a timeout under test) or the server is stopping
            }
        }
    }

    private static async Task<string?> ReadHeadAsync(NetworkStream stream)
    {
        var buffer = new List<byte>(1024);
        var one = new byte[1];
        while (buffer.Count < 64 * 1024)
        {
            if (await stream.ReadAsync(one) == 0) return null;
            buffer.Add(one[0]);
            var n = buffer.Count;
            if (n >= 4 && buffer[n - 4] == '\r' && buffer[n - 3] == '\n' && buffer[n - 2] == '\r' && buffer[n - 1] == '\n')
                return Encoding.Latin1.GetString(buffer.ToArray(), 0, n - 4);
        }
        return null;
    }
}

/// <summary>One request and the means to answer it byte by byte.</summary>
public sealed class HttpExchange(string method, string target, IReadOnlyList<string> headers, Stream stream, CancellationToken stopping)
{
    public string Method { get; } = method;
    public string Target { get; } = target;
    public IReadOnlyList<string> Headers { get; } = headers;
    public Stream Stream { get; } = stream;
    public CancellationToken Stopping { get; } = stopping;

    public string? Header(string name) =>
        Headers.Select(h => h.Split(':', 2)).Where(p => p.Length == 2 && p[0].Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            .Select(p => p[1].Trim()).FirstOrDefault();

    /// <summary>Writes the status line and headers (Connection: close), with the framing header for <paramref name="framing"/>.</summary>
    public async Task SendHeadAsync(int status, BodyFraming framing, long? length, string? contentType, params (string Name, string Value)[] extra)
    {
        var head = new StringBuilder($"HTTP/1.1 {status} {Reason(status)}\r\nConnection: close\r\n");
        if (contentType is not null) head.Append($"Content-Type: {contentType}\r\n");
        if (framing == BodyFraming.ContentLength) head.Append($"Content-Length: {length ?? 0}\r\n");
        if (framing == BodyFraming.Chunked) head.Append("Transfer-Encoding: chunked\r\n");
        foreach (var (name, value) in extra) head.Append($"{name}: {value}\r\n");
        head.Append("\r\n");
        await Stream.WriteAsync(Encoding.Latin1.GetBytes(head.ToString()), Stopping);
        await Stream.FlushAsync(Stopping);
    }

    /// <summary>Writes a piece of the body (as one chunk when chunked).</summary>
    public async Task SendBodyAsync(ReadOnlyMemory<byte> bytes, BodyFraming framing)
    {
        if (framing == BodyFraming.Chunked)
        {
            if (bytes.Length == 0) return;
            await Stream.WriteAsync(Encoding.ASCII.GetBytes($"{bytes.Length:x}\r\n"), Stopping);
            await Stream.WriteAsync(bytes, Stopping);
            await Stream.WriteAsync("\r\n"u8.ToArray(), Stopping);
        }
        else
        {
            await Stream.WriteAsync(bytes, Stopping);
        }
        await Stream.FlushAsync(Stopping);
    }

    public async Task EndBodyAsync(BodyFraming framing)
    {
        if (framing == BodyFraming.Chunked) await Stream.WriteAsync("0\r\n\r\n"u8.ToArray(), Stopping);
        await Stream.FlushAsync(Stopping);
    }

    /// <summary>A whole response.</summary>
    public async Task SendAsync(int status, byte[]? body = null, string? contentType = null,
        BodyFraming framing = BodyFraming.ContentLength, params (string Name, string Value)[] extra)
    {
        body ??= [];
        await SendHeadAsync(status, framing, body.Length, contentType, extra);
        await SendBodyAsync(body, framing);
        await EndBodyAsync(framing);
    }

    /// <summary>A redirect to <paramref name="location"/>.</summary>
    public Task RedirectAsync(string location, int status = 302) => SendAsync(status, null, null, BodyFraming.ContentLength, ("Location", location));

    private static string Reason(int status) => status switch
    {
        200 => "OK", 301 => "Moved Permanently", 302 => "Found", 303 => "See Other", 307 => "Temporary Redirect",
        308 => "Permanent Redirect", 401 => "Unauthorized", 403 => "Forbidden", 404 => "Not Found", 410 => "Gone",
        429 => "Too Many Requests", 500 => "Internal Server Error", 502 => "Bad Gateway", 503 => "Service Unavailable",
        _ => "Status",
    };
}

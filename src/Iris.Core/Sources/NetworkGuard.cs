using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Iris.Sources;

/// <summary>
/// The server-side request forgery guard of <see cref="HttpSource"/>: resolves a host itself, refuses
/// every address that is not public unicast (loopback, private, link-local, multicast, reserved...,
/// also when written as an IPv4-mapped, IPv4-compatible, NAT64, 6to4 or Teredo IPv6 address), and
/// connects to the exact address it vetted, so DNS cannot answer differently between check and use.
/// </summary>
public sealed class NetworkGuard
{
    private readonly bool _allowPrivateNetwork;
    private readonly HashSet<IPAddress> _alsoAllowed;

    /// <param name="allowPrivateNetwork">Lifts the guard (<c>--allow-private-network</c>): every address may be contacted.</param>
    /// <param name="alsoAllowed">Single addresses allowed although not public (tests: a loopback server behind the guard).</param>
    public NetworkGuard(bool allowPrivateNetwork, IEnumerable<IPAddress>? alsoAllowed = null)
    {
        _allowPrivateNetwork = allowPrivateNetwork;
        _alsoAllowed = [.. alsoAllowed ?? []];
    }

    public bool AllowsPrivateNetwork => _allowPrivateNetwork;

    /// <summary>Why this guard refuses <paramref name="address"/>, or null when it may be contacted.</summary>
    public string? WhyRefused(IPAddress address)
    {
        if (_allowPrivateNetwork || _alsoAllowed.Contains(address)) return null;
        return Classify(address);
    }

    /// <summary>
    /// What kind of non-public address <paramref name="address"/> is ("a loopback address"...), or null
    /// for a public unicast address.
    /// </summary>
    public static string? Classify(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
            return ClassifyV4(BinaryPrimitives.ReadUInt32BigEndian(address.GetAddressBytes()));
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return "not an IP address";

        var bytes = address.GetAddressBytes();
        var high = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        var low = BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(8));
        var embedded = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(12));

        if (high == 0 && low == 0) return "the unspecified address";
        if (high == 0 && low == 1) return "a loopback address";
        // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (the deprecated compatible form) reach the IPv4 address.
        if (high == 0 && (low >> 32) is 0xFFFF or 0) return Embedded(ClassifyV4(embedded), "an IPv4-mapped or IPv4-compatible");
        // ::ffff:0:a.b.c.d (SIIT translated form).
        if (high == 0 && (low >> 32) == 0xFFFF_0000) return Embedded(ClassifyV4(embedded), "an IPv4-translated");
        // 64:ff9b::/96, the well-known NAT64 prefix: a translator reaches the IPv4 address.
        if (high == 0x0064_FF9B_0000_0000 && (low >> 32) == 0) return Embedded(ClassifyV4(embedded), "a NAT64");
        if ((high >> 16) == 0x0064_FF9B_0001) return "a local-use NAT64 address (64:ff9b:1::/48)";
        // 2002::/16 6to4: the IPv4 address of the relay's far end is in bits 16..47.
        if ((high >> 48) == 0x2002) return Embedded(ClassifyV4((uint)(high >> 16)), "a 6to4");
        // 2001:0::/32 Teredo: the client's IPv4 address is the last 32 bits, inverted; the server's is bits 32..63.
        if ((high >> 32) == 0x2001_0000)
            return Embedded(ClassifyV4(~embedded), "a Teredo") ?? Embedded(ClassifyV4((uint)high), "a Teredo");
        if ((high >> 32) == 0x2001_0DB8 || (high >> 44) == 0x3FFF0) return "a documentation address (2001:db8::/32, 3fff::/20)";
        if ((high >> 57) == 0x7E) return "a private (unique local) address (fc00::/7)";
        if ((high >> 54) == 0x3FA) return "a link-local address (fe80::/10)";
        if ((high >> 54) == 0x3FB) return "a site-local address (fec0::/10)";
        if ((high >> 56) == 0xFF) return "a multicast address (ff00::/8)";
        // Everything outside 2000::/3, global unicast, is reserved (100::/64 discard, ::/8 ...).
        if ((high >> 61) != 0x1) return "a reserved IPv6 address";
        return null;
    }

    private static string? Embedded(string? kind, string form) =>
        kind is null ? null : $"{kind}, written as {form} IPv6 address";

    private static string? ClassifyV4(uint a)
    {
        bool In(uint network, int bits) => bits == 0 || (a >> (32 - bits)) == (network >> (32 - bits));
        if (a == 0) return "the unspecified address (0.0.0.0)";
        if (a == 0xFFFF_FFFF) return "the broadcast address (255.255.255.255)";
        if (In(0x0000_0000, 8)) return "a 'this network' address (0.0.0.0/8)";
        if (In(0x7F00_0000, 8)) return "a loopback address (127.0.0.0/8)";
        if (In(0x0A00_0000, 8)) return "a private address (10.0.0.0/8)";
        if (In(0xAC10_0000, 12)) return "a private address (172.16.0.0/12)";
        if (In(0xC0A8_0000, 16)) return "a private address (192.168.0.0/16)";
        if (In(0x6440_0000, 10)) return "a shared (carrier-grade NAT) address (100.64.0.0/10)";
        if (In(0xA9FE_0000, 16)) return "a link-local address (169.254.0.0/16, where cloud metadata services answer)";
        if (In(0xC000_0000, 24)) return "an IETF protocol address (192.0.0.0/24)";
        if (In(0xC000_0200, 24) || In(0xC633_6400, 24) || In(0xCB00_7100, 24)) return "a documentation address (TEST-NET)";
        if (In(0xC058_6300, 24)) return "a 6to4 relay address (192.88.99.0/24)";
        if (In(0xC612_0000, 15)) return "a benchmarking address (198.18.0.0/15)";
        if (In(0xE000_0000, 4)) return "a multicast address (224.0.0.0/4)";
        if (In(0xF000_0000, 4)) return "a reserved address (240.0.0.0/4)";
        return null;
    }

    /// <summary>
    /// Resolves <paramref name="host"/> (or parses it, for an address literal) and connects to the first
    /// address that answers, after checking all of them: one refused address refuses the host, so a
    /// name cannot mix a public and a private answer. Throws <see cref="NetworkGuardException"/> when refused.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(string host, int port, CancellationToken ct)
    {
        var bare = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        IPAddress[] addresses = IPAddress.TryParse(bare, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(bare, ct);
        if (addresses.Length == 0) throw new SocketException((int)SocketError.HostNotFound);
        foreach (var address in addresses)
        {
            if (WhyRefused(address) is { } why)
            {
                var shown = address.ToString() == bare ? bare : $"{bare} ({address})";
                throw new NetworkGuardException(
                    $"{shown} is {why}; Iris does not fetch from private networks unless started with --allow-private-network");
            }
        }

        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw last!;
    }
}

/// <summary>The guard refused an address; the message says which and why.</summary>
public sealed class NetworkGuardException(string message) : Exception(message);

using System.Net;
using Iris.Sources;

namespace Iris.Core.Tests.Sources;

public sealed class NetworkGuardTests
{
    [Theory]
    // IPv4
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("0.1.2.3", "this network")]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.255.255.254", "loopback")]
    [InlineData("10.0.0.1", "private address (10.0.0.0/8)")]
    [InlineData("10.255.255.255", "private address (10.0.0.0/8)")]
    [InlineData("172.16.0.1", "private address (172.16.0.0/12)")]
    [InlineData("172.31.255.255", "private address (172.16.0.0/12)")]
    [InlineData("192.168.1.1", "private address (192.168.0.0/16)")]
    [InlineData("100.64.0.1", "carrier-grade NAT")]
    [InlineData("100.127.255.255", "carrier-grade NAT")]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("169.254.0.1", "link-local")]
    [InlineData("192.0.0.8", "IETF protocol")]
    [InlineData("192.0.2.1", "documentation")]
    [InlineData("198.51.100.7", "documentation")]
    [InlineData("203.0.113.9", "documentation")]
    [InlineData("192.88.99.1", "6to4 relay")]
    [InlineData("198.18.0.1", "benchmarking")]
    [InlineData("198.19.255.255", "benchmarking")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("239.255.255.250", "multicast")]
    [InlineData("240.0.0.1", "reserved")]
    [InlineData("255.255.255.255", "broadcast")]
    // IPv6
    [InlineData("::", "unspecified")]
    [InlineData("::1", "loopback")]
    [InlineData("::ffff:127.0.0.1", "loopback address (127.0.0.0/8), written as an IPv4-mapped")]
    [InlineData("::ffff:10.0.0.1", "private address (10.0.0.0/8), written as an IPv4-mapped")]
    [InlineData("::ffff:169.254.169.254", "link-local")]
    [InlineData("::ffff:0.0.0.0", "unspecified")]
    [InlineData("::127.0.0.1", "loopback address (127.0.0.0/8), written as an IPv4-mapped or IPv4-compatible")]
    [InlineData("::ffff:0:192.168.0.1", "IPv4-translated")]
    [InlineData("64:ff9b::127.0.0.1", "NAT64")]
    [InlineData("64:ff9b::a00:1", "private address (10.0.0.0/8), written as a NAT64")]
    [InlineData("64:ff9b:1::1", "local-use NAT64")]
    [InlineData("2002:7f00:1::1", "loopback address (127.0.0.0/8), written as a 6to4")]
    [InlineData("2002:c0a8:101::1", "private address (192.168.0.0/16), written as a 6to4")]
    [InlineData("2001:0:4136:e378:8000:63bf:f5ff:fffe", "private address (10.0.0.0/8), written as a Teredo")] // client 10.0.0.1, inverted
    [InlineData("2001:0:a00:1::1", "Teredo")] // server 10.0.0.1
    [InlineData("2001:db8::1", "documentation")]
    [InlineData("3fff::1", "documentation")]
    [InlineData("fc00::1", "unique local")]
    [InlineData("fd12:3456:789a::1", "unique local")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("febf::1", "link-local")]
    [InlineData("fec0::1", "site-local")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("ff05::2", "multicast")]
    [InlineData("100::1", "reserved")]
    [InlineData("4000::1", "reserved")]
    public void NonPublicAddressesAreRefused(string address, string kind)
    {
        var why = NetworkGuard.Classify(IPAddress.Parse(address));
        Assert.NotNull(why);
        Assert.Contains(kind, why);
        Assert.NotNull(new NetworkGuard(allowPrivateNetwork: false).WhyRefused(IPAddress.Parse(address)));
        Assert.Null(new NetworkGuard(allowPrivateNetwork: true).WhyRefused(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("93.184.215.14")]
    [InlineData("172.15.255.255")] // just below 172.16/12
    [InlineData("172.32.0.1")] // just above
    [InlineData("100.63.255.255")] // just below 100.64/10
    [InlineData("100.128.0.1")] // just above
    [InlineData("169.253.255.255")]
    [InlineData("223.255.255.255")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")] // NAT64 of 8.8.8.8
    [InlineData("2002:808:808::1")] // 6to4 of 8.8.8.8
    [InlineData("2001:4860:4860::8888")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("2a00:1450:4001:80b::200e")]
    public void PublicAddressesAreAllowed(string address)
    {
        Assert.Null(NetworkGuard.Classify(IPAddress.Parse(address)));
        Assert.Null(new NetworkGuard(allowPrivateNetwork: false).WhyRefused(IPAddress.Parse(address)));
    }

    [Fact]
    public void SingleAddressesCanBeAllowed()
    {
        var guard = new NetworkGuard(allowPrivateNetwork: false, [IPAddress.Loopback]);
        Assert.Null(guard.WhyRefused(IPAddress.Parse("127.0.0.1")));
        Assert.NotNull(guard.WhyRefused(IPAddress.Parse("127.0.0.2")));
        Assert.NotNull(guard.WhyRefused(IPAddress.Parse("::ffff:127.0.0.1"))); // another spelling is another address
    }

    [Theory]
    [InlineData("localhost")] // a name that resolves to loopback
    [InlineData("127.0.0.1")]
    [InlineData("[::1]")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("2130706433")] // 127.0.0.1 as one number
    public async Task ConnectingToARefusedHostFailsBeforeAnyConnection(string host)
    {
        var guard = new NetworkGuard(allowPrivateNetwork: false);
        var e = await Assert.ThrowsAsync<NetworkGuardException>(() => guard.ConnectAsync(host, 9, CancellationToken.None).AsTask());
        Assert.Contains("loopback", e.Message);
        Assert.Contains("--allow-private-network", e.Message);
    }
}

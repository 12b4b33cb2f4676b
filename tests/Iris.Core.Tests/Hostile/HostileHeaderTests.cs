using System.Buffers.Binary;
using Iris.Ingestion;
using Iris.Models;

namespace Iris.Core.Tests.Hostile;

/// <summary>
/// Headers that the prober and the decoder could read differently: the pixel limit is checked on the prober's
/// reading, so wherever the decoder would make a bigger picture, the prober must see it too. And header fields
/// that overflow arithmetic must end as damage, not as an internal error. (The GIF frame bombs are among
/// <see cref="HostileFiles.Failing"/>: before the prober looked past the GIF screen descriptor, a 34-byte GIF with a
/// 20,000² first frame passed the limit as 1×1, and libvips then filled its frame buffer: 1.6 GB of RSS, 2.5 s.)
/// </summary>
public sealed class HostileHeaderTests : IDisposable
{
    private readonly HostilePipeline _iris = new();

    public void Dispose() => _iris.Dispose();

    [Fact]
    public async Task AGifWhoseFirstFrameOutgrowsItsScreenHasTheSizeItDecodesTo()
    {
        var outcome = await _iris.RunAsync("outgrown.gif", HostileFiles.GifOutgrowingItsScreen());
        var metadata = Jobs.Metadata(outcome);
        Assert.Equal((20, 10), (metadata.GetProperty("width").GetInt32(), metadata.GetProperty("height").GetInt32()));
        using var preview = NetVips.Image.NewFromFile(_iris.BlobPath(outcome.PreviewKey!));
        Assert.Equal((20, 10), (preview.Width, preview.Height));
    }

    [Fact]
    public async Task AGifFrameOffsetOutsideTheScreenCountsToo()
    {
        // The first frame's far corner is what counts: a 10×10 frame placed at (20,000, 10,000).
        var gif = HostileFiles.GifWithFirstFrame(10, 10);
        BinaryPrimitives.WriteUInt16LittleEndian(gif.AsSpan(20), 20_000);
        BinaryPrimitives.WriteUInt16LittleEndian(gif.AsSpan(22), 10_000);
        var outcome = await _iris.RunAsync("offset.gif", gif);
        Assert.Equal((ErrorCodes.ResolutionOutOfSpec, "20010×10010 is 200.3 megapixels; the limit is 100 megapixels."),
            (outcome.ErrorCode, outcome.ErrorReason));
    }

    [Theory]
    [InlineData(0x7FFF_FFFF_FFFF_FFF0UL)] // start + size overflowed to a negative position
    [InlineData(0xFFFF_FFFF_FFFF_FFFFUL)]
    [InlineData(0x0000_0001_0000_0000UL)]
    public async Task AHeifBoxWithA64BitSizePastTheEndIsDamageNotAnInternalError(ulong largeSize)
    {
        var heif = Generated.Heif(["avif", "mif1"], (64, 48));
        var ftypSize = (int)BinaryPrimitives.ReadUInt32BigEndian(heif);
        // After ftyp, a 'free' box with size 1: its real size is the 64-bit field that follows the type.
        var box = new byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(box, 1);
        "free"u8.CopyTo(box.AsSpan(4));
        BinaryPrimitives.WriteUInt64BigEndian(box.AsSpan(8), largeSize);
        byte[] bytes = [.. heif.AsSpan(0, ftypSize), .. box, .. heif.AsSpan(ftypSize)];

        var outcome = await _iris.RunAsync("huge-box.avif", bytes);
        Assert.Equal(ErrorCodes.UnsupportedFormat, outcome.ErrorCode);
        Assert.Equal("The AVIF file gives no image size (no 'ispe' property); it is damaged or cut short.", outcome.ErrorReason);
    }
}

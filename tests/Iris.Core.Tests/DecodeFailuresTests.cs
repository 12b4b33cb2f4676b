using Iris.Ingestion;

namespace Iris.Core.Tests;

public sealed class DecodeFailuresTests
{
    [Fact]
    public void Vips_messages_lose_wrappers_prefixes_and_every_path()
    {
        const string message = "unable to call thumbnail\nVipsJpeg: Premature end of JPEG file\n"
                               + "VipsForeignLoad: \"/data/one/a.jpg\" is not a known file format\n"
                               + "VipsJpeg: read error in /srv/other-tenant/secret/b.jpg\nVipsJpeg: Premature end of JPEG file";
        var detail = DecodeFailures.CleanVipsMessage(message, "/data/one/a.jpg");
        Assert.Equal("Premature end of JPEG file; the file is not a known file format; read error in a file", detail);
    }

    [Fact]
    public void Ratios_and_mime_types_are_not_taken_for_paths()
    {
        Assert.Equal("shrink 1/8 of image/jpeg failed", DecodeFailures.CleanVipsMessage("VipsJpeg: shrink 1/8 of image/jpeg failed.", "/x.jpg"));
    }
}

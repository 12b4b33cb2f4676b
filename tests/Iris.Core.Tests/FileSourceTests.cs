using System.Diagnostics;
using Iris.Ingestion;
using Iris.Models;
using Iris.Sources;

namespace Iris.Core.Tests;

public sealed class FileSourceTests : IDisposable
{
    private readonly TempDir _tmp = new();
    private readonly string _root;
    private readonly string _outside;

    public FileSourceTests()
    {
        _root = Path.Combine(_tmp.Path, "root");
        _outside = Path.Combine(_tmp.Path, "outside");
        Directory.CreateDirectory(Path.Combine(_root, "sub"));
        Directory.CreateDirectory(_outside);
        _tmp.File("root/photo.jpg");
        _tmp.File("root/sub/a b é.jpg");
        _tmp.File("outside/secret.jpg");
    }

    public void Dispose() => _tmp.Dispose();

    private IrisOptions Options(params string[] roots) => new() { AllowedRoots = roots.Length == 0 ? [_root] : [.. roots] };

    private static async Task<SourceFile> Fetch(IrisOptions options, string uri) =>
        await new FileSource(options).FetchAsync(Jobs.For(uri), CancellationToken.None);

    private static async Task<IngestionException> Fails(IrisOptions options, string uri, string code)
    {
        var e = await Assert.ThrowsAsync<IngestionException>(() => Fetch(options, uri));
        Assert.True(code == e.ErrorCode, $"{uri}: expected {code}, got {e.ErrorCode}: {e.Message}");
        return e;
    }

    [Fact]
    public async Task AllowedFileIsReadInPlace()
    {
        var file = await Fetch(Options(), "file://" + _root + "/photo.jpg");
        Assert.Equal(Path.Combine(_root, "photo.jpg"), file.LocalPath);
        Assert.False(file.IsTemporary);
    }

    [Fact]
    public async Task PercentEncodedPathIsDecoded()
    {
        var file = await Fetch(Options(), "file://" + _root + "/sub/a%20b%20%C3%A9.jpg");
        Assert.Equal(Path.Combine(_root, "sub", "a b é.jpg"), file.LocalPath);
    }

    [Fact]
    public async Task FileOutsideTheRootsIsRefused()
    {
        var e = await Fails(Options(), "file://" + _outside + "/secret.jpg", ErrorCodes.PermissionDenied);
        Assert.Contains("outside the folders this server may read (--allow-root)", e.Message);
        await Fails(Options(), "file:///etc/passwd", ErrorCodes.PermissionDenied);
    }

    [Fact]
    public async Task DotDotCannotEscape()
    {
        await Fails(Options(), "file://" + _root + "/sub/../../outside/secret.jpg", ErrorCodes.PermissionDenied);
        var depth = string.Concat(Enumerable.Repeat("../", _root.Count(c => c == '/') + 1));
        await Fails(Options(), "file://" + _root + "/sub/" + depth + "etc/passwd", ErrorCodes.PermissionDenied);
        // Encoded dots are decoded first and then refused the same way.
        await Fails(Options(), "file://" + _root + "/sub/%2E%2E/%2E%2E/outside/secret.jpg", ErrorCodes.PermissionDenied);
        // A '..' that stays inside is fine.
        var file = await Fetch(Options(), "file://" + _root + "/sub/../photo.jpg");
        Assert.Equal(Path.Combine(_root, "photo.jpg"), file.LocalPath);
    }

    [Fact]
    public async Task SymlinkedFileLeadingOutIsRefused()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "link.jpg"), Path.Combine(_outside, "secret.jpg"));
        await Fails(Options(), "file://" + _root + "/link.jpg", ErrorCodes.PermissionDenied);
    }

    [Fact]
    public async Task SymlinkedFolderLeadingOutIsRefused()
    {
        Directory.CreateSymbolicLink(Path.Combine(_root, "door"), _outside);
        await Fails(Options(), "file://" + _root + "/door/secret.jpg", ErrorCodes.PermissionDenied);
        // Missing behind the link: still outside, so still permission_denied (no existence leak).
        await Fails(Options(), "file://" + _root + "/door/missing.jpg", ErrorCodes.PermissionDenied);
    }

    [Fact]
    public async Task SymlinkInsideTheRootIsFollowed()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "alias.jpg"), Path.Combine(_root, "photo.jpg"));
        var file = await Fetch(Options(), "file://" + _root + "/alias.jpg");
        Assert.Equal(Path.Combine(_root, "photo.jpg"), file.LocalPath);
    }

    [Fact]
    public async Task RootGivenThroughASymlinkIsResolvedToo()
    {
        var rootLink = Path.Combine(_tmp.Path, "root-link");
        Directory.CreateSymbolicLink(rootLink, _root);
        var file = await Fetch(Options(rootLink), "file://" + _root + "/photo.jpg");
        Assert.Equal(Path.Combine(_root, "photo.jpg"), file.LocalPath);
        await Fails(Options(rootLink), "file://" + _outside + "/secret.jpg", ErrorCodes.PermissionDenied);
    }

    [Fact]
    public async Task SiblingFolderWithTheRootAsPrefixIsOutside()
    {
        Directory.CreateDirectory(_root + "2");
        File.WriteAllBytes(_root + "2/x.jpg", [1]);
        await Fails(Options(), "file://" + _root + "2/x.jpg", ErrorCodes.PermissionDenied);
    }

    [Fact]
    public async Task MissingFileInsideIsNotFoundButOutsideIsDenied()
    {
        var inside = await Fails(Options(), "file://" + _root + "/nope.jpg", ErrorCodes.FileNotFound);
        Assert.Contains("does not exist", inside.Message);
        await Fails(Options(), "file://" + _root + "/no/such/folder/nope.jpg", ErrorCodes.FileNotFound);
        await Fails(Options(), "file://" + _outside + "/nope.jpg", ErrorCodes.PermissionDenied);
        await Fails(Options(), "file:///etc/no-such-file-here", ErrorCodes.PermissionDenied);
        await Fails(Options(), "file://" + _root + "/missing/../../outside/secret.jpg", ErrorCodes.PermissionDenied);
    }

    [Fact]
    public async Task FolderIsNotAnImage()
    {
        var e = await Fails(Options(), "file://" + _root + "/sub", ErrorCodes.UnsupportedFormat);
        Assert.Contains("folder", e.Message);
    }

    [Fact]
    public async Task FifoIsNotARegularFile()
    {
        var fifo = Path.Combine(_root, "pipe.jpg");
        using (var mkfifo = Process.Start("mkfifo", fifo)) await mkfifo.WaitForExitAsync();
        var e = await Fails(Options(), "file://" + fifo, ErrorCodes.UnsupportedFormat); // must not block opening it
        Assert.Contains("not a regular file", e.Message);
    }

    [Fact]
    public async Task DeviceIsNotARegularFile()
    {
        await Fails(Options("/dev"), "file:///dev/zero", ErrorCodes.UnsupportedFormat);
    }

    [Fact]
    public async Task NoRootsMeansNoLocalFiles()
    {
        var e = await Fails(new IrisOptions(), "file://" + _root + "/photo.jpg", ErrorCodes.PermissionDenied);
        Assert.Contains("--allow-root", e.Message);
    }

    [Fact]
    public async Task TooLargeFileIsRefused()
    {
        var options = Options();
        options.MaxImageBytes = 2;
        await Fails(options, "file://" + _root + "/photo.jpg", ErrorCodes.FileTooLarge);
    }

    [Theory]
    [InlineData("file://server/share/photo.jpg")]
    [InlineData("file:/photo.jpg")]
    public async Task FileUriMustBeHostlessAndAbsolute(string uri)
    {
        await Fails(Options(), uri, ErrorCodes.UnsupportedUriScheme);
    }

    [Fact]
    public async Task NulCharacterIsRefused()
    {
        await Fails(Options(), "file://" + _root + "/photo.jpg%00.png", ErrorCodes.FileNotFound);
    }
}

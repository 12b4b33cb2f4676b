using Iris.Sources;

namespace Iris.Core.Tests.Sources;

public sealed class ImagePathsTests
{
    [Theory]
    // RFC 3986 section 5.2.4's own examples, as file:// paths
    [InlineData("file:///a/b/c/./../../g", "file:///a/g")]
    [InlineData("file:///srv/iris/../shared/a.jpg", "file:///srv/shared/a.jpg")]
    [InlineData("file:///srv/./shared/./a.jpg", "file:///srv/shared/a.jpg")]
    [InlineData("file:///../../etc/a.jpg", "file:///etc/a.jpg")] // never above the root
    [InlineData("file:///srv/photos/..", "file:///srv/")]
    [InlineData("file:///srv/photos/.", "file:///srv/photos/")]
    // percent-encoding: unreserved characters decoded (so %2E%2E is a dot segment), other escapes in upper case
    [InlineData("file:///srv/x/%2E%2E/a.jpg", "file:///srv/a.jpg")]
    [InlineData("file:///srv/%61%62c.jpg", "file:///srv/abc.jpg")]
    [InlineData("file:///srv/a%20b%2fc.jpg", "file:///srv/a%20b%2Fc.jpg")]
    [InlineData("FILE:///srv/a.jpg", "file:///srv/a.jpg")]
    public void File_paths_get_one_spelling(string path, string expected) => Assert.Equal(expected, ImagePaths.Normalize(path));

    [Theory]
    [InlineData("file:///srv/photos/a.jpg")]
    [InlineData("file:///srv/.hidden/..a/a..b/.jpg")] // names that only start or end with dots are names
    [InlineData("s3://bucket/a/../b.jpg")] // an S3 key is a name, not a path
    [InlineData("https://example.com/a/../b.jpg")]
    [InlineData("upload://abc/a.jpg")]
    [InlineData("file://server/share/a.jpg")] // a host: refused by the file source as written
    [InlineData("file:relative/a.jpg")]
    [InlineData("file:///srv/100%.jpg")] // not an escape: kept
    public void Other_paths_are_left_as_given(string path)
    {
        var normalized = ImagePaths.Normalize(path);
        Assert.Equal(path, normalized);
        if (path.StartsWith("file:///", StringComparison.Ordinal) && !path.Contains('%')) Assert.Same(path, normalized); // no copy on the hot path
    }

    [Fact]
    public void Normalizing_twice_changes_nothing_more()
    {
        foreach (var path in new[] { "file:///a/b/../c/%2e/d%2f", "file:///x/%252E%252E/y", "file:///./../a" })
        {
            var once = ImagePaths.Normalize(path);
            Assert.Equal(once, ImagePaths.Normalize(once));
        }
    }
}

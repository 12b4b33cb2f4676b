using System.Text;
using Iris.Blobs;
using Iris.Sources;
using Iris.Tests.Servers;

namespace Iris.Core.Tests.Sources;

public sealed class CsvManifestReaderTests : IAsyncLifetime, IDisposable
{
    private readonly TempDir _tmp = new();
    private readonly FakeBlobStore _blobs = new();
    private readonly LoopbackHttpServer _server = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose()
    {
        _blobs.Dispose();
        _tmp.Dispose();
    }

    /// <summary>Parses from a file, as the server does (CsvHelper reads a MemoryStream in place, without its buffer limit).</summary>
    private static async Task<List<CsvManifestRow>> Parse(string csv, int maxRows = 100, bool bom = false)
    {
        var bytes = Encoding.UTF8.GetBytes(csv);
        if (bom) bytes = [0xEF, 0xBB, 0xBF, .. bytes];
        using var dir = new TempDir();
        await using var stream = File.OpenRead(dir.File("manifest.csv", bytes));
        return await CsvManifestReader.ParseAsync(stream, maxRows, CancellationToken.None);
    }

    private static async Task<CsvManifestException> Fails(string csv, string message, int maxRows = 100)
    {
        var e = await Assert.ThrowsAsync<CsvManifestException>(() => Parse(csv, maxRows));
        Assert.Contains(message, e.Message);
        return e;
    }

    [Fact]
    public async Task RowsHavePathIdAndMetadata()
    {
        var rows = await Parse(
            "path,id,metadata\r\n" +
            "s3://b/a.jpg,user-1,\"{\"\"scene\"\": \"\"beach, sunny\"\", \"\"n\"\": 3}\"\r\n" +
            "s3://b/b.jpg,,\r\n" +
            "\"s3://b/with,comma.jpg\",id-3\r\n");
        Assert.Equal(3, rows.Count);
        Assert.Equal(new CsvManifestRow(1, 2, "s3://b/a.jpg", "user-1", "{\"scene\": \"beach, sunny\", \"n\": 3}"), rows[0]);
        Assert.Equal(new CsvManifestRow(2, 3, "s3://b/b.jpg", null, null), rows[1]);
        Assert.Equal(new CsvManifestRow(3, 4, "s3://b/with,comma.jpg", "id-3", null), rows[2]);
    }

    [Fact]
    public async Task ColumnsAreFoundByNameInAnyOrderAndCase()
    {
        var rows = await Parse("Metadata,notes,PATH\n{},ignored,http://x/1.png\n", bom: true);
        Assert.Equal(new CsvManifestRow(1, 2, "http://x/1.png", null, "{}"), Assert.Single(rows));
    }

    [Fact]
    public async Task BlankRowsAreSkipped()
    {
        var rows = await Parse("path,id\n\na.jpg,1\n,\n\nb.jpg,2\n,,\n");
        Assert.Equal(["a.jpg", "b.jpg"], rows.Select(r => r.Path));
        Assert.Equal([3L, 6L], rows.Select(r => r.Line));
    }

    [Fact]
    public async Task QuotedLineBreaksKeepTheRowTogether()
    {
        var rows = await Parse("path,metadata\n\"a.jpg\",\"{\"\"note\"\": \"\"line one\nline two\"\"}\"\nb.jpg,\n");
        Assert.Equal(2, rows.Count);
        Assert.Contains("line one\nline two", rows[0].Metadata);
        Assert.Equal(4, rows[1].Line);
    }

    [Fact]
    public async Task HeaderOnlyIsNoRows() => Assert.Empty(await Parse("path,id,metadata\n"));

    [Fact]
    public async Task EmptyFileIsRefused() => await Fails("", "The CSV file is empty");

    [Fact]
    public async Task HeaderWithoutPathIsRefused() => await Fails("url,id\nx,1\n", "no 'path' or 'source_path' column (it has: 'url', 'id')");

    [Fact]
    public async Task UnquotedJsonWithCommasIsARowErrorNamingTheRow()
    {
        var e = await Fails("path,metadata\na.jpg,{}\nb.jpg,{\"a\": 1, \"b\": 2}\n",
            "Row 2 (line 3) of the CSV file is malformed: a quote inside an unquoted field");
        Assert.Contains("double quotes", e.Message);
        Assert.DoesNotContain("record 3", e.Message);
    }

    [Fact]
    public async Task ExtraFieldsAreARowErrorNamingTheRow() =>
        await Fails("path,id\na.jpg,1\nb.jpg,2,3\n", "Row 2 (line 3) of the CSV file has 3 fields but the header has 2");

    [Fact]
    public async Task BrokenQuotingIsARowErrorNamingTheRow()
    {
        var e = await Fails("path,id\na.jpg,1\n\"b.jpg\"x,2\n", "Row 2");
        Assert.Contains("malformed", e.Message);
    }

    [Fact]
    public async Task MoreRowsThanTheLimitAreRefused()
    {
        var csv = "path\n" + string.Concat(Enumerable.Range(0, 6).Select(i => $"{i}.jpg\n"));
        Assert.Equal(6, (await Parse(csv, maxRows: 6)).Count);
        var e = await Fails(csv, "more than 5 rows", maxRows: 5);
        Assert.True(e.TooManyRows);
    }

    [Fact]
    public async Task AHugeRowIsRefusedWithoutReadingItWhole()
    {
        var huge = "path\n\"" + new string('a', 3 * CsvManifestReader.MaxRecordBytes) + "\"\n";
        await Fails(huge, "Row 1 (line 2) of the CSV file is longer than 1 MB");
    }

    private CsvManifestReader Reader(IrisOptions options) => CsvManifestReader.Create(options, _blobs, _blobs.Temp, new S3Access(options));

    [Fact]
    public async Task ReadsAFileBelowAnAllowedRoot()
    {
        var path = _tmp.File("lists/manifest one.csv", Encoding.UTF8.GetBytes("path,id\nfile:///x/a.jpg,A\n"));
        var options = new IrisOptions { AllowedRoots = [_tmp.Path] };
        var rows = await Reader(options).ReadAsync(Jobs.FileUri(path), 10, CancellationToken.None);
        Assert.Equal(new CsvManifestRow(1, 2, "file:///x/a.jpg", "A", null), Assert.Single(rows));
    }

    [Fact]
    public async Task AFileOutsideTheRootsIsRefusedLikeAnImage()
    {
        var path = _tmp.File("manifest.csv", Encoding.UTF8.GetBytes("path\na.jpg\n"));
        var e = await Assert.ThrowsAsync<CsvManifestException>(() =>
            Reader(new IrisOptions { AllowedRoots = [Path.Combine(_tmp.Path, "elsewhere")] }).ReadAsync(Jobs.FileUri(path), 10, CancellationToken.None));
        Assert.Contains("permission_denied", e.Message);
    }

    [Fact]
    public async Task ReadsAManifestOverHttp()
    {
        var url = _server.Map(LoopbackHttpServer.UniquePath("list.csv"), x => x.SendAsync(200, "path\nhttp://h/a.png\nhttp://h/b.png\n"u8.ToArray(), "text/csv"));
        var rows = await Reader(new IrisOptions { AllowPrivateNetwork = true }).ReadAsync(url, 10, CancellationToken.None);
        Assert.Equal(["http://h/a.png", "http://h/b.png"], rows.Select(r => r.Path));
    }

    [Fact]
    public async Task AManifestOnAPrivateAddressIsRefusedByTheGuard()
    {
        var target = LoopbackHttpServer.UniquePath("list.csv");
        var url = _server.Map(target, x => x.SendAsync(200, "path\na.png\n"u8.ToArray(), "text/csv"));
        var e = await Assert.ThrowsAsync<CsvManifestException>(() => Reader(new IrisOptions()).ReadAsync(url, 10, CancellationToken.None));
        Assert.Contains("permission_denied", e.Message);
        Assert.Contains("loopback", e.Message);
        Assert.Equal(0, _server.Hits(target));
    }

    [Theory]
    [InlineData("upload://abc/list.csv")]
    [InlineData("ftp://h/list.csv")]
    [InlineData("list.csv")]
    public async Task OtherSchemesAreRefused(string csvPath)
    {
        var e = await Assert.ThrowsAsync<CsvManifestException>(() => Reader(new IrisOptions()).ReadAsync(csvPath, 10, CancellationToken.None));
        Assert.Contains("file:///, s3:// or http(s)://", e.Message);
    }
}

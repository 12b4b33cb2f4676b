using Iris.Search;

namespace Iris.Core.Tests;

public sealed class MetadataFilterTests
{
    private static bool Matches(string? metadataJson, params MetadataClause[] clauses) => new MetadataFilter(clauses).Matches(metadataJson);

    private static double Epoch(string iso) => (DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture) - DateTimeOffset.UnixEpoch).TotalSeconds;

    [Fact]
    public void No_clauses_pass_everything()
    {
        Assert.True(MetadataFilter.None.IsEmpty);
        Assert.False(new MetadataFilter([new MetadataClause.Is("k", "v")]).IsEmpty);
        Assert.True(MetadataFilter.None.Matches(null));
        Assert.True(MetadataFilter.None.Matches("""{"k":"v"}"""));
    }

    [Theory]
    [InlineData("""{"k":"v"}""", "v", true)]
    [InlineData("""{"k":"v"}""", "V", false)]
    [InlineData("""{"k":"v "}""", "v", false)]
    [InlineData("""{"k":5}""", "5", true)]
    [InlineData("""{"k":5.0}""", "5", false)] // a number compares as written
    [InlineData("""{"k":-1.5e3}""", "-1.5e3", true)]
    [InlineData("""{"k":true}""", "true", true)]
    [InlineData("""{"k":false}""", "true", false)]
    [InlineData("""{"k":null}""", "null", false)]
    [InlineData("""{"k":{"v":1}}""", """{"v":1}""", false)]
    [InlineData("""{"other":"v"}""", "v", false)]
    [InlineData("""["v"]""", "v", false)]
    public void Is_compares_the_value_as_text(string metadata, string value, bool expected) =>
        Assert.Equal(expected, Matches(metadata, new MetadataClause.Is("k", value)));

    [Theory]
    [InlineData("""{"k":"v"}""", "v", false)]
    [InlineData("""{"k":"w"}""", "v", true)]
    [InlineData("""{"k":5}""", "5", false)]
    [InlineData("""{"k":true}""", "true", false)]
    [InlineData("""{"k":null}""", "v", true)]
    [InlineData("""{"other":"v"}""", "v", true)] // a missing key passes only this clause
    public void IsNot_passes_a_different_or_missing_value(string metadata, string value, bool expected) =>
        Assert.Equal(expected, Matches(metadata, new MetadataClause.IsNot("k", value)));

    [Theory]
    [InlineData("""{"k":true}""", true, true)]
    [InlineData("""{"k":false}""", false, true)]
    [InlineData("""{"k":false}""", true, false)]
    [InlineData("""{"k":"true"}""", true, true)] // its text
    [InlineData("""{"k":"True"}""", true, false)]
    [InlineData("""{"k":1}""", true, false)]
    [InlineData("""{"other":true}""", true, false)]
    [InlineData("""{"other":false}""", false, false)]
    public void IsBoolean_wants_that_boolean_or_its_text(string metadata, bool value, bool expected) =>
        Assert.Equal(expected, Matches(metadata, new MetadataClause.IsBoolean("k", value)));

    [Fact]
    public void A_range_reads_iso_date_times_and_epoch_seconds_inclusively()
    {
        var start = Epoch("2024-01-01T00:00:00Z");
        var end = Epoch("2024-12-31T23:59:59Z");
        var range = new MetadataClause.InRange("taken", start, end);

        foreach (var inside in new[]
                 {
                     "\"2024-06-15T12:00:00Z\"", "\"2024-06-15T14:00:00+02:00\"", "\"2024-06-15\"", "\"2024-01-01T00:00:00Z\"",
                     "\"2024-12-31T23:59:59Z\"", "\"2025-01-01T01:59:59+02:00\"", // the end, given in another zone
                     $"{start}", $"{end}", $"{start + 0.5}", $"\"{start + 60}\"", // epoch seconds as a number or as text
                 })
        {
            Assert.True(Matches($$"""{"taken":{{inside}}}""", range), inside);
        }

        foreach (var outside in new[]
                 {
                     "\"2023-12-31T23:59:59Z\"", "\"2025-01-01T00:00:00Z\"", "\"2024-01-01T01:00:00+02:00\"",
                     $"{start - 1}", $"{end + 1}", $"\"{end + 1}\"",
                     "\"not a date\"", "\"\"", "true", "null", "[1704067200]", "{\"at\":1704067200}",
                 })
        {
            Assert.False(Matches($$"""{"taken":{{outside}}}""", range), outside);
        }

        Assert.False(Matches("""{"other":"2024-06-15T12:00:00Z"}""", range));
    }

    [Fact]
    public void A_range_bound_left_out_is_open()
    {
        var at = Epoch("2024-06-15T12:00:00Z");
        const string metadata = """{"taken":"2024-06-15T12:00:00Z"}""";
        Assert.True(Matches(metadata, new MetadataClause.InRange("taken", null, at)));
        Assert.False(Matches(metadata, new MetadataClause.InRange("taken", null, at - 1)));
        Assert.True(Matches(metadata, new MetadataClause.InRange("taken", at, null)));
        Assert.False(Matches(metadata, new MetadataClause.InRange("taken", at + 1, null)));
        Assert.True(Matches("""{"taken":"1900-01-01T00:00:00Z"}""", new MetadataClause.InRange("taken", null, null)));
        Assert.True(Matches("""{"taken":-5}""", new MetadataClause.InRange("taken", null, 0)));
        // Open on both sides still needs a value that reads as a time.
        Assert.False(Matches("""{"taken":"soon"}""", new MetadataClause.InRange("taken", null, null)));
        Assert.False(Matches("""{"other":1}""", new MetadataClause.InRange("taken", null, null)));
    }

    [Fact]
    public void Every_clause_must_hold()
    {
        const string metadata = """{"camera":"x100","rating":4,"public":true,"taken":"2024-06-15T12:00:00Z"}""";
        MetadataClause[] all =
        [
            new MetadataClause.Is("camera", "x100"),
            new MetadataClause.IsNot("rating", "1"),
            new MetadataClause.IsBoolean("public", true),
            new MetadataClause.InRange("taken", Epoch("2024-06-01T00:00:00Z"), null),
            new MetadataClause.IsNot("missing", "anything"),
        ];
        Assert.True(Matches(metadata, all));
        for (var i = 0; i < all.Length; i++)
        {
            var broken = all.ToArray();
            broken[i] = broken[i] switch
            {
                MetadataClause.Is c => c with { Value = "x200" },
                MetadataClause.IsNot c => c with { Key = "rating", Value = "4" },
                MetadataClause.IsBoolean c => c with { Value = false },
                MetadataClause.InRange c => c with { StartEpoch = Epoch("2024-07-01T00:00:00Z") },
                _ => throw new InvalidOperationException(),
            };
            Assert.False(Matches(metadata, broken), broken[i].ToString());
        }
    }

    [Fact]
    public void An_image_without_metadata_passes_only_clauses_that_want_a_value_absent()
    {
        Assert.True(Matches(null, new MetadataClause.IsNot("k", "v")));
        Assert.True(Matches(null, new MetadataClause.IsNot("k", "v"), new MetadataClause.IsNot("j", "w")));
        Assert.False(Matches(null, new MetadataClause.Is("k", "v")));
        Assert.False(Matches(null, new MetadataClause.IsBoolean("k", false)));
        Assert.False(Matches(null, new MetadataClause.InRange("k", null, null)));
        Assert.False(Matches(null, new MetadataClause.IsNot("k", "v"), new MetadataClause.Is("j", "w")));
        // An empty object has no keys either.
        Assert.True(Matches("{}", new MetadataClause.IsNot("k", "v")));
        Assert.False(Matches("{}", new MetadataClause.Is("k", "v")));
    }
}

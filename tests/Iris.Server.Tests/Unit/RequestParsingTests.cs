using System.Text.Json;
using Iris.Server.Api;

namespace Iris.Server.Tests.Unit;

public class RequestParsingTests
{
    private static readonly string A = Guid.NewGuid().ToString();
    private static readonly string B = Guid.NewGuid().ToString();

    private static HTTPValidationError Problem(ValidationErrors errors) => errors.ToResult().Value!;

    [Fact]
    public void Id_list_is_deduplicated_in_first_appearance_order()
    {
        var errors = new ValidationErrors();
        var ids = RequestParsing.ParseIdList([B, A, B.ToUpperInvariant(), A], "query", "coactive_image_ids", errors);
        Assert.False(errors.Any);
        Assert.Equal([Guid.Parse(B), Guid.Parse(A)], ids);
    }

    [Fact]
    public void Each_bad_uuid_gets_its_own_entry_with_its_index()
    {
        var errors = new ValidationErrors();
        Assert.Null(RequestParsing.ParseIdList([A, "nope", B, "12"], "query", "coactive_image_ids", errors));
        var detail = Problem(errors).Detail;
        Assert.Equal(2, detail.Count);
        Assert.Equal(["query", "coactive_image_ids", 1], detail[0].Loc);
        Assert.Equal(["query", "coactive_image_ids", 3], detail[1].Loc);
        Assert.All(detail, e => Assert.Equal("uuid_parsing", e.Type));
    }

    [Fact]
    public void Missing_and_too_long_lists_are_422()
    {
        var missing = new ValidationErrors();
        RequestParsing.ParseIdList(null, "query", "coactive_image_ids", missing);
        Assert.Equal("missing", Problem(missing).Detail.Single().Type);

        var tooLong = new ValidationErrors();
        RequestParsing.ParsePathList(Enumerable.Range(0, 1001).Select(i => (string?)$"p{i}").ToList(), "body", "paths", tooLong);
        var entry = Problem(tooLong).Detail.Single();
        Assert.Equal("too_long", entry.Type);
        Assert.Equal(["body", "paths"], entry.Loc);
    }

    [Fact]
    public void Exactly_1000_paths_are_accepted()
    {
        var errors = new ValidationErrors();
        var paths = RequestParsing.ParsePathList(Enumerable.Range(0, 1000).Select(i => (string?)$"p{i}").ToList(), "query", "paths", errors);
        Assert.False(errors.Any);
        Assert.Equal(1000, paths!.Count);
    }

    [Fact]
    public void String_arrays_report_wrong_types_at_their_index()
    {
        using var doc = JsonDocument.Parse("""{"paths": ["a", 5, null, "b"]}""");
        var errors = new ValidationErrors();
        var values = RequestParsing.ReadStringArray(doc.RootElement, "paths", errors);
        Assert.Equal(4, values!.Count);
        var detail = Problem(errors).Detail;
        Assert.Equal([["body", "paths", 1], ["body", "paths", 2]], detail.Select(d => d.Loc));
        Assert.All(detail, d => Assert.Equal("string_type", d.Type));
    }

    [Theory]
    [InlineData("""{"paths": "a"}""", "list_type")]
    [InlineData("""{}""", "missing")]
    [InlineData("""[1]""", "missing")]
    public void A_property_that_is_not_an_array_is_422(string json, string type)
    {
        using var doc = JsonDocument.Parse(json);
        var errors = new ValidationErrors();
        Assert.Null(RequestParsing.ReadStringArray(doc.RootElement, "paths", errors));
        Assert.Equal(type, Problem(errors).Detail.Single().Type);
    }

    [Fact]
    public void Path_uuid_errors_name_the_parameter()
    {
        var errors = new ValidationErrors();
        RequestParsing.ParseUuid("x", errors, "coactive_image_id");
        Assert.Equal(["path", "coactive_image_id"], Problem(errors).Detail.Single().Loc);
    }
}

public class UserMetadataParserTests
{
    private static (string? Json, IReadOnlyList<ValidationError> Errors) Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var errors = new ValidationErrors();
        var result = UserMetadataParser.Parse(doc.RootElement, errors, ["body", "images", 0, "metadata"]);
        return (result, errors.Any ? errors.ToResult().Value!.Detail : []);
    }

    [Fact]
    public void Scalars_become_canonical_json_with_readable_utf8()
    {
        var (json, errors) = Parse("""{ "season" : 1, "hero": "Renée", "ok": true, "at": "2026-11-28T15:11:45Z", "pi": 3.14 }""");
        Assert.Empty(errors);
        Assert.Equal("""{"season":1,"hero":"Renée","ok":true,"at":"2026-11-28T15:11:45Z","pi":3.14}""", json);
    }

    [Fact]
    public void Null_metadata_is_no_metadata() => Assert.Equal((null, []), Parse("null"));

    [Theory]
    [InlineData("""{"k": {"nested": 1}}""", "k")]
    [InlineData("""{"k": [1, 2]}""", "k")]
    [InlineData("""{"ok": 1, "k": null}""", "k")]
    public void Non_scalar_values_are_422_at_their_key(string json, string key)
    {
        var (result, errors) = Parse(json);
        Assert.Null(result);
        var entry = Assert.Single(errors);
        Assert.Equal(["body", "images", 0, "metadata", key], entry.Loc);
        Assert.Equal("value_error", entry.Type);
    }

    [Fact]
    public void Metadata_that_is_not_an_object_is_dict_type()
    {
        var (_, errors) = Parse("[1]");
        Assert.Equal("dict_type", Assert.Single(errors).Type);
    }

    [Fact]
    public void Limits_on_keys_and_values_are_enforced()
    {
        var longKey = new string('k', UserMetadataParser.MaxKeyLength + 1);
        Assert.Equal("string_too_long", Assert.Single(Parse($$"""{"{{longKey}}": 1}""").Errors).Type);

        var longValue = new string('v', UserMetadataParser.MaxStringValueLength + 1);
        Assert.Equal("string_too_long", Assert.Single(Parse($$"""{"k": "{{longValue}}"}""").Errors).Type);

        var many = "{" + string.Join(",", Enumerable.Range(0, UserMetadataParser.MaxKeys + 1).Select(i => $"\"k{i}\":1")) + "}";
        Assert.Equal("too_long", Assert.Single(Parse(many).Errors).Type);
    }
}

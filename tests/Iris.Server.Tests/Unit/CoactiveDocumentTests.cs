using System.Text.Json.Nodes;
using Iris.Testing;
using Xunit.Sdk;

namespace Iris.Server.Tests.Unit;

/// <summary>The helper that checks answers against Coactive's document: it passes what the document allows and fails the rest.</summary>
public class CoactiveDocumentTests
{
    private const string DatasetPath = "/api/v1/datasets/{dataset_id}";

    /// <summary>A DatasetResponse as the document's <c>datasets:DatasetResponse</c> requires it.</summary>
    private static JsonObject Dataset() => new()
    {
        ["created_dt"] = "2026-11-28T15:11:45.456777Z",
        ["updated_dt"] = null,
        ["created_by"] = "tests-client",
        ["updated_by"] = null,
        ["id"] = "556f4d52-a557-461e-a204-69236fd9c1e2",
        ["name"] = "GameOfThrones",
        ["embeddings"] = new JsonArray(),
        ["encoders"] = new JsonArray(),
        ["description"] = null,
        ["allowed_asset_types"] = new JsonArray("image"),
        ["status"] = "active",
        ["keyframe_sampling_method"] = "intelligent",
        ["store_original"] = true,
        ["store_preview"] = true,
        ["image_count"] = 3, // extra fields are allowed
    };

    private static string Failure(Action assert) => Assert.ThrowsAny<XunitException>(assert).Message;

    [Fact]
    public void A_valid_dataset_passes_as_answer_and_as_component()
    {
        CoactiveDocument.AssertResponse("GET", DatasetPath, 200, Dataset().ToJsonString());
        CoactiveDocument.AssertResponse("get", DatasetPath, 200, Dataset().ToJsonString());
        CoactiveDocument.AssertSchema("datasets:DatasetResponse", Dataset().ToJsonString());
    }

    [Fact]
    public void A_missing_required_field_fails()
    {
        var body = Dataset();
        body.Remove("store_preview");
        var message = Failure(() => CoactiveDocument.AssertResponse("GET", DatasetPath, 200, body.ToJsonString()));
        Assert.Contains("store_preview", message);
        Assert.Contains("Body: {", message);
    }

    [Fact]
    public void A_value_outside_the_enum_fails()
    {
        var body = Dataset();
        body["status"] = "Ready"; // the older camelCase shape's value
        var message = Failure(() => CoactiveDocument.AssertResponse("GET", DatasetPath, 200, body.ToJsonString()));
        Assert.Contains("'/status'", message);
    }

    [Fact]
    public void An_id_that_is_not_a_uuid_fails()
    {
        var body = Dataset();
        body["id"] = "556f4d52a557461ea20469236fd9c1e2x";
        var message = Failure(() => CoactiveDocument.AssertResponse("GET", DatasetPath, 200, body.ToJsonString()));
        Assert.Contains("'/id'", message);
        Assert.Contains("uuid", message);
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("2026-13-28T15:11:45Z")]
    [InlineData("2026-11-28")]
    public void A_bad_date_time_fails(string value)
    {
        var body = Dataset();
        body["created_dt"] = value;
        var message = Failure(() => CoactiveDocument.AssertSchema("datasets:DatasetResponse", body.ToJsonString()));
        Assert.Contains("'/created_dt'", message);
        Assert.Contains("date-time", message);
    }

    [Fact]
    public void Every_error_is_listed()
    {
        var body = Dataset();
        body["id"] = "nope";
        body["created_dt"] = "nope";
        body["store_original"] = "yes";
        var message = Failure(() => CoactiveDocument.AssertSchema("datasets:DatasetResponse", body.ToJsonString()));
        Assert.Contains("'/id'", message);
        Assert.Contains("'/created_dt'", message);
        Assert.Contains("'/store_original'", message);
    }

    [Fact]
    public void A_paged_status_answer_passes_although_it_is_also_an_EmptyResponse()
    {
        // The document's oneOf [PagedAssetsStatusResponse, EmptyResponse]: this body matches both, so a strict oneOf
        // would refuse it.
        var body = """
            {"meta": {"page": {"current_page": 1, "last_page": 1, "limit": 10, "offset": 0, "total": 1}},
             "data": [{"status": "completed", "asset_id": "a6894d72-612d-4c20-b4d0-8f3f21c2bb10",
                       "dataset_id": "556f4d52-a557-461e-a204-69236fd9c1e2", "error_code": null, "error_reason": null,
                       "source_path": "s3://bucket/a.jpg",
                       "latest_event": {"event_type": "completed", "timestamp_dt": "2026-11-28T15:11:47.101000Z"}}]}
            """;
        CoactiveDocument.AssertResponse("POST", "/api/v1/ingestion/datasets/{dataset_id}/assets/status", 200, body);
    }

    [Theory]
    [InlineData("3")]
    [InlineData("2.5")]
    [InlineData("\"text\"")]
    [InlineData("true")]
    public void A_metadata_value_of_an_overlapping_union_passes(string value)
    {
        // ingestion:IngestJobImageMetadata is oneOf [boolean, integer, number, string, string date-time]: 3 is an
        // integer and a number, any string is a string (and maybe a date-time).
        CoactiveDocument.AssertSchema("ingestion:IngestJobImage", $$$"""{"source_path": "s3://bucket/a.jpg", "metadata": {"k": {{{value}}}}}""");
    }

    [Fact]
    public void A_metadata_value_outside_the_union_fails()
    {
        var message = Failure(() => CoactiveDocument.AssertSchema("ingestion:IngestJobImage",
            """{"source_path": "s3://bucket/a.jpg", "metadata": {"k": {"nested": 1}}}"""));
        Assert.Contains("'/metadata/k'", message);
    }

    [Fact]
    public void A_validation_error_uses_the_operations_422_schema()
    {
        CoactiveDocument.AssertResponse("POST", "/api/v1/auth-management/clients", 422,
            """{"detail": [{"loc": ["body", "name"], "msg": "Field required", "type": "missing"}, {"loc": ["body", "roles", 0], "msg": "m", "type": "t"}]}""");
        Failure(() => CoactiveDocument.AssertResponse("POST", "/api/v1/auth-management/clients", 422,
            """{"detail": [{"loc": ["body", {"x": 1}], "msg": "Field required"}]}"""));
    }

    [Fact]
    public void A_status_the_document_does_not_list_is_an_ErrorResponse()
    {
        CoactiveDocument.AssertResponse("GET", "/api/v1/auth-management/clients/{client_id}", 404, """{"detail": "Client not found"}""");
        CoactiveDocument.AssertResponse("DELETE", "/api/v1/auth-management/clients/{client_id}", 409, """{"detail": "Last one"}""");
        Failure(() => CoactiveDocument.AssertResponse("GET", "/api/v1/auth-management/clients/{client_id}", 404, """{"message": "Client not found"}"""));
        Failure(() => CoactiveDocument.AssertResponse("GET", "/api/v1/auth-management/clients/{client_id}", 401, """{"detail": ["x"]}"""));
        Failure(() => CoactiveDocument.AssertResponse("GET", "/api/v1/auth-management/clients/{client_id}", 403, "<html>"));
    }

    [Fact]
    public void An_unknown_operation_or_schema_fails()
    {
        Failure(() => CoactiveDocument.AssertResponse("PATCH", "/api/v1/auth-management/clients", 200, "{}"));
        Failure(() => CoactiveDocument.AssertSchema("NoSuchSchema", "{}"));
    }

    [Fact]
    public void Operations_are_the_documents()
    {
        var ops = CoactiveDocument.Operations;
        Assert.Equal(ops.Count, ops.Select(o => o.OperationId).Distinct().Count());
        foreach (var (method, path, id) in new[]
                 {
                     ("POST", "/api/v1/auth-management/clients", "create-credentials"),
                     ("GET", "/api/v1/auth-management/clients", "list-credentials"),
                     ("GET", "/api/v1/auth-management/clients/{client_id}", "get-credentials"),
                     ("PUT", "/api/v1/auth-management/clients/{client_id}", "update-credentials"),
                     ("DELETE", "/api/v1/auth-management/clients/{client_id}", "delete-credentials"),
                 })
        {
            Assert.Contains(new CoactiveOperation(method, path, id), ops);
        }
    }

    [Fact]
    public void Every_component_resolves_through_its_escaped_pointer()
    {
        // Each component is reached through the same escaped JSON Pointer that the document's references to it were
        // rewritten to (names like "datasets:DatasetResponse"); an unresolvable one throws instead of failing.
        foreach (var name in CoactiveDocument.SchemaNames)
        {
            try
            {
                CoactiveDocument.AssertSchema(name, "null");
            }
            catch (XunitException)
            {
                // null is not valid for most: only resolution errors matter here
            }
        }
        Assert.Contains("datasets:DatasetResponse", CoactiveDocument.SchemaNames);
        Assert.True(CoactiveDocument.SchemaNames.Count(n => n.Contains(':', StringComparison.Ordinal)) > 50);
    }
}

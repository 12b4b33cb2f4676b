using System.Reflection;
using System.Runtime.Loader;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NJsonSchema.CodeGeneration.CSharp;
using NSwag;
using NSwag.CodeGeneration.CSharp;
using NSwag.CodeGeneration.OperationNameGenerators;

namespace Iris.Client.Tests;

/// <summary>
/// Proof that the server's OpenAPI document tells the truth: a C# client generated from the live
/// /openapi/v1.json by NSwag, compiled in memory, makes the seed's three calls and gets what Iris.Client gets.
/// </summary>
[Collection(ClientCollection.Name)]
public sealed class NSwagTests(ClientFixture fixture)
{
    [Fact]
    public async Task A_client_generated_from_the_OpenAPI_document_gets_the_same_answers()
    {
        var seeded = await fixture.SeededAsync();
        using var anonymous = new HttpClient();
        var json = JsonNode.Parse(await anonymous.GetStringAsync(fixture.Server.Host + "/openapi/v1.json"))!;
        WorkAroundNSwagLimitations(json);
        var document = await OpenApiDocument.FromJsonAsync(json.ToJsonString());

        var settings = new CSharpClientGeneratorSettings
        {
            ClassName = "GeneratedIrisClient",
            GenerateClientInterfaces = false,
            UseBaseUrl = true,
            GenerateOptionalParameters = true,
            OperationNameGenerator = new SingleClientFromOperationIdOperationNameGenerator(),
            CSharpGeneratorSettings = { Namespace = "Generated", JsonLibrary = CSharpJsonLibrary.SystemTextJson },
        };
        var code = new CSharpClientGenerator(document, settings).GenerateFile();
        var assembly = Compile(code, out var context);
        try
        {
            using var http = new HttpClient();
            http.DefaultRequestHeaders.Authorization = new("Bearer", fixture.Server.Credential.AccessToken);
            var clientType = assembly.GetType("Generated.GeneratedIrisClient", throwOnError: true)!;
            var generated = NewGeneratedClient(clientType, fixture.Server.Host, http);

            using var client = fixture.NewClient();
            var images = new ImageApi(client);

            // get_metadata_for_image
            var one = await CallAsync(generated, "get_metadata_for_image", seeded.ImageIds[0].ToString());
            AssertSame(ClientFixture.Json(await images.GetMetadataForImageAsync(seeded.ImageIds[0]), IrisJsonContext.Default.AssetResponse), one);

            // get_metadata_for_images
            var ids = seeded.ImageIds.Select(i => i.ToString()).Reverse().ToArray();
            var many = await CallAsync(generated, "get_metadata_for_images", (object)ids);
            AssertSame(ClientFixture.Json(await images.GetMetadataForImagesAsync(ids), IrisJsonContext.Default.MetadataForImagesResponse), many);

            // get_statuses_for_images
            string[] paths = [seeded.Paths[1], "s3://never/added.jpg"];
            var statuses = await CallAsync(generated, "get_statuses_for_images", seeded.DatasetId.ToString(), paths);
            AssertSame(ClientFixture.Json(await images.GetStatusesForImagesAsync(seeded.DatasetId, paths), IrisJsonContext.Default.StatusesForImagesResponse), statuses);
        }
        finally
        {
            context.Unload();
        }
    }

    /// <summary>
    /// NJsonSchema turns an <c>anyOf</c> of primitive types into a generated class (named <c>Anonymous</c>) that a string,
    /// number or boolean cannot be read into, so user metadata (<c>additionalProperties: {anyOf: [string, number,
    /// boolean]}</c>, a correct description) could not be read. Such value schemas become "any value" (object).
    /// </summary>
    private static void WorkAroundNSwagLimitations(JsonNode document)
    {
        foreach (var (_, schema) in document["components"]!["schemas"]!.AsObject())
        {
            if (schema?["additionalProperties"] is JsonObject values && values["anyOf"] is JsonArray anyOf
                && anyOf.All(s => s?["type"] is JsonValue t && t.GetValue<string>() is "string" or "number" or "integer" or "boolean"))
                schema["additionalProperties"] = new JsonObject();
        }
    }

    private static object NewGeneratedClient(Type type, string host, HttpClient http)
    {
        // NSwag makes (string baseUrl, HttpClient) or, when the document names servers, (HttpClient) plus a BaseUrl property.
        if (type.GetConstructor([typeof(string), typeof(HttpClient)]) is { } withBaseUrl) return withBaseUrl.Invoke([host, http]);
        var client = Activator.CreateInstance(type, http)!;
        type.GetProperty("BaseUrl")!.SetValue(client, host);
        return client;
    }

    /// <summary>Finds the generated method for an operationId and returns its awaited result as JSON.</summary>
    private static async Task<JsonNode> CallAsync(object client, string operationId, params object[] args)
    {
        var wanted = operationId.Replace("_", "") + "async";
        var method = client.GetType().GetMethods()
            .Where(m => m.Name.Replace("_", "").Equals(wanted, StringComparison.OrdinalIgnoreCase))
            .OrderBy(m => m.GetParameters().Length)
            .First(m => m.GetParameters().Length >= args.Length);
        var parameters = method.GetParameters();
        var values = new object?[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
            values[i] = i < args.Length ? args[i] : parameters[i].ParameterType == typeof(CancellationToken) ? CancellationToken.None : null;
        var task = (Task)method.Invoke(client, values)!;
        await task;
        var result = task.GetType().GetProperty("Result")!.GetValue(task);
        return JsonNode.Parse(JsonSerializer.Serialize(result, result!.GetType(), GeneratedModels))!;
    }

    // The generated models written with the timestamp format Iris.Client uses, so equal values print equal.
    private static readonly JsonSerializerOptions GeneratedModels = new() { Converters = { new UtcTimestampConverter() } };

    private static void AssertSame(JsonNode expected, JsonNode actual) =>
        Assert.True(JsonNode.DeepEquals(ClientFixture.Normalize(expected), ClientFixture.Normalize(actual)),
            $"Iris.Client:\n{expected.ToJsonString()}\nNSwag client:\n{actual.ToJsonString()}");

    private static Assembly Compile(string code, out AssemblyLoadContext context)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Select(path => MetadataReference.CreateFromFile(path));
        var compilation = CSharpCompilation.Create(
            "Generated" + Guid.NewGuid().ToString("N"),
            [CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Latest))],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Disable));
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        if (!emitted.Success)
        {
            var file = Path.Combine(Path.GetTempPath(), "iris-nswag-client.cs");
            File.WriteAllText(file, code);
            var errors = emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(20);
            Assert.Fail($"The NSwag client does not compile (code in {file}):\n{string.Join("\n", errors)}");
        }
        image.Position = 0;
        context = new AssemblyLoadContext("nswag-client", isCollectible: true);
        return context.LoadFromStream(image);
    }
}

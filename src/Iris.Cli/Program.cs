using Iris.Cli.Commands;
using Spectre.Console.Cli;

// Piped or redirected output gets wide tables instead of 80 columns.
if (Console.IsOutputRedirected) Spectre.Console.AnsiConsole.Profile.Width = 240;

// The node commands read their settings from IrisOptions' declarations (flags, IRIS_* variables, a settings file).
if (args is ["serve" or "worker", ..])
{
    try
    {
        return await ServeCommand.RunAsync(args[0], args[1..], CancellationToken.None);
    }
    catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or Iris.ServiceUnavailableException)
    {
        await Console.Error.WriteLineAsync($"iris {args[0]}: {e.Message}");
        return ExitCodes.Failure;
    }
}

var app = new CommandApp();

app.Configure(config =>
{
    config.SetApplicationName("iris");
    config.SetApplicationVersion(typeof(Program).Assembly
        .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
        .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion.Split('+')[0] ?? "unknown");
    config.Settings.StrictParsing = true; // an unknown option is an error, never silently ignored
    config.AddCommand<NodeCommandPlaceholder>("serve")
        .WithDescription("Run an Iris node: the API and ingestion workers (--no-workers: the API only). 'iris serve --help' lists its settings.")
        .WithExample("serve", "--urls", "http://127.0.0.1:8080", "--data", "./iris-data", "--allow-root", "/srv/photos");
    config.AddCommand<NodeCommandPlaceholder>("worker")
        .WithDescription("Run ingestion workers only, on the catalog (--database) and blob store (--blobs) the API nodes use.")
        .WithExample("worker", "--database", "Host=db;Username=iris;Password=...;Database=iris", "--blobs", "s3://bucket/iris/");
    config.AddCommand<BackupCommand>("backup")
        .WithDescription("Copy a server's data folder (it may keep running): the catalog as one snapshot, uploads, previews. 'iris serve --data COPY' starts from it.")
        .WithExample("backup", "--data", "./iris-data", "--out", "/backups/iris-2026-12-01");
    config.AddBranch("admin", admin =>
    {
        admin.SetDescription("Administer a data folder directly (no server needed).");
        admin.AddCommand<CreateClientCommand>("create-client")
            .WithDescription("Create a credential in an organization (created if needed) and print it as JSON.")
            .WithExample("admin", "create-client", "--data", "./iris-data", "--org", "acme");
    });

    // Client commands: --host/IRIS_HOST, --client-id/--client-secret or IRIS_CLIENT_ID/IRIS_CLIENT_SECRET; next to a
    // local server without them, the credential it stored in <data>/credentials.json. Exit codes: 0 ok, 1 failure,
    // 2 usage, 3 server unreachable, 4 bad or missing credentials, 5 not found, 6 name taken (or
    // last active credential), 7 images in error.
    config.AddBranch("datasets", datasets =>
    {
        datasets.SetDescription("Create, list, show and delete datasets.");
        datasets.AddCommand<DatasetsCreateCommand>("create")
            .WithDescription("Create a dataset.")
            .WithExample("datasets", "create", "holidays", "--description", "Summer 2026")
            .WithExample("datasets", "create", "archive", "--encoder", "resnet-50");
        datasets.AddCommand<DatasetsListCommand>("list")
            .WithDescription("List your datasets.")
            .WithExample("datasets", "list", "--json");
        datasets.AddCommand<DatasetsGetCommand>("get")
            .WithDescription("Show one dataset (by name or id).")
            .WithExample("datasets", "get", "holidays");
        datasets.AddCommand<DatasetsDeleteCommand>("delete")
            .WithDescription("Delete a dataset with its images.")
            .WithExample("datasets", "delete", "holidays", "--yes");
        datasets.AddCommand<DatasetsEmbedCommand>("embed")
            .WithDescription("Make embeddings for a dataset's completed images that have none (e.g. one created with --encoder none), as an ingest job. Exits 7 if an image ended in error.")
            .WithExample("datasets", "embed", "archive", "--wait")
            .WithExample("datasets", "embed", "archive", "--encoder", "resnet-50", "--json");
    });
    config.AddBranch("clients", clients =>
    {
        clients.SetDescription("Create, list, rename and revoke your organization's credentials (client id and secret).");
        clients.AddCommand<ClientsCreateCommand>("create")
            .WithDescription("Create a named credential; its secret is shown only this once.")
            .WithExample("clients", "create", "--name", "ci-runner")
            .WithExample("clients", "create", "--name", "ci-runner", "--json");
        clients.AddCommand<ClientsListCommand>("list")
            .WithDescription("List your organization's credentials, revoked ones included (no secrets).")
            .WithExample("clients", "list", "--json");
        clients.AddCommand<ClientsRenameCommand>("rename")
            .WithDescription("Give an active credential a new name; it keeps working.")
            .WithExample("clients", "rename", "0f3c5a9e2b7d4c1e8a6f9b2d4e7c1a3f", "build-server");
        clients.AddCommand<ClientsRevokeCommand>("revoke")
            .WithDescription("Revoke a credential: it is refused from then on. Exits 6 for the last active one.")
            .WithExample("clients", "revoke", "0f3c5a9e2b7d4c1e8a6f9b2d4e7c1a3f", "--yes");
    });
    config.AddCommand<IngestCommand>("ingest")
        .WithDescription("Add images to a dataset: uploads local files in parallel (skipping those already there with the same "
                         + "SHA-256) and adds s3:// and http(s):// paths as ingest jobs (1000 paths each; a prefix ending in / as a bucket job). "
                         + "Exits 7 if an image ended in error.")
        .WithExample("ingest", "holidays", "~/Pictures/2026", "--wait")
        .WithExample("ingest", "holidays", "'photos/**/*.jpg'", "s3://bucket/cat.jpg", "--json")
        .WithExample("ingest", "holidays", "s3://bucket/2026/", "--wait")
        .WithExample("ingest", "556f4d52-a557-461e-a204-69236fd9c1e2", "https://example.com/a.png", "--host", "http://iris:8080", "--client-id", "ID", "--client-secret", "SECRET");
    config.AddCommand<StatusCommand>("status")
        .WithDescription("Show the ingestion status of files or paths of a dataset. Exits 7 if one is in error, else 5 if one was never added.")
        .WithExample("status", "holidays", "~/Pictures/2026")
        .WithExample("status", "holidays", "s3://bucket/cat.jpg", "--json");
    config.AddCommand<MetadataCommand>("metadata")
        .WithDescription("Show the metadata of images by id.")
        .WithExample("metadata", "a6894d72-612d-4c20-b4d0-8f3f21c2bb10", "--json");
    config.AddCommand<SearchCommand>("search")
        .WithDescription("Find the images of a dataset most like a query image (an image id, a local file or a public URL), best first.")
        .WithExample("search", "a6894d72-612d-4c20-b4d0-8f3f21c2bb10", "--dataset", "holidays")
        .WithExample("search", "--file", "photo.jpg", "--dataset", "holidays", "--limit", "20", "--json")
        .WithExample("search", "--url", "https://example.com/cat.jpg", "--dataset", "556f4d52-a557-461e-a204-69236fd9c1e2");
    config.AddCommand<PreviewCommand>("preview")
        .WithDescription("Save the thumbnail of a completed image.")
        .WithExample("preview", "a6894d72-612d-4c20-b4d0-8f3f21c2bb10", "-o", "thumb.jpg");
    config.PropagateExceptions();
});

try
{
    return await app.RunAsync(args);
}
catch (CommandParseException e)
{
    await Console.Error.WriteLineAsync($"iris: {e.Message}");
    return ExitCodes.Usage;
}
catch (CommandRuntimeException e)
{
    await Console.Error.WriteLineAsync($"iris: {e.Message}");
    return ExitCodes.Usage;
}
catch (Iris.SettingsException e)
{
    await Console.Error.WriteLineAsync($"iris: {e.Message}");
    return ExitCodes.Usage;
}
catch (CliException e)
{
    await Console.Error.WriteLineAsync($"iris: {e.Message}");
    return e.ExitCode;
}
catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
{
    await Console.Error.WriteLineAsync($"iris: {e.Message}");
    return ExitCodes.Failure;
}

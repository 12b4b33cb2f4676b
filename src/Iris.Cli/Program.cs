using Iris.Cli.Commands;
using Spectre.Console.Cli;

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("iris");
    config.AddCommand<ServeCommand>("serve")
        .WithDescription("Run the Iris server on the embedded catalog in the data folder.")
        .WithExample("serve", "--urls", "http://127.0.0.1:8080", "--data", "./iris-data", "--allow-root", "/srv/photos");
    config.AddBranch("admin", admin =>
    {
        admin.SetDescription("Administer a data folder directly (no server needed).");
        admin.AddCommand<CreateClientCommand>("create-client")
            .WithDescription("Create a credential in an organization (created if needed) and print it as JSON.")
            .WithExample("admin", "create-client", "--data", "./iris-data", "--org", "acme");
    });
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
catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
{
    await Console.Error.WriteLineAsync($"iris: {e.Message}");
    return ExitCodes.Failure;
}

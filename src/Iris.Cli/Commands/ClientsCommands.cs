using System.ComponentModel;
using Iris.Client;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Iris.Cli.Commands;

/// <summary><c>iris clients create --name NAME</c>: prints the new credential, its secret included, this once.</summary>
public sealed class ClientsCreateCommand : ClientCommand<ClientsCreateCommand.Settings>
{
    public sealed class Settings : ClientSettings
    {
        [CommandOption("-n|--name <NAME>")]
        [Description("What the credential is for (1 to 128 printable characters), e.g. ci-runner. Required.")]
        public string? Name { get; init; }

        public override ValidationResult Validate() =>
            Name is null
                ? ValidationResult.Error("A credential needs a name: --name NAME (what it is for, e.g. ci-runner).")
                : base.Validate();
    }

    protected override async Task<int> RunAsync(Session session, Settings settings, CancellationToken ct)
    {
        CreatedClientResponse created;
        try
        {
            created = await new AuthManagementApi(session.Client).CreateClientAsync(settings.Name!, ct);
        }
        catch (ApiException e) when (e.StatusCode == 422)
        {
            throw new CliException(ExitCodes.Usage, $"Cannot create the credential: {string.Join("; ", e.ValidationErrors.Select(v => v.Msg))}.");
        }
        if (session.Json)
        {
            Output.Json(created, IrisJsonContext.Indented.CreatedClientResponse);
            return ExitCodes.Ok;
        }
        Output.Properties(null,
        [
            ("Client id", created.ClientId), ("Client secret", created.ClientSecret), ("Name", created.Name),
            ("Organization", created.OrgId.ToString()), ("Created", Output.Time(created.CreatedDt)),
        ]);
        AnsiConsole.MarkupLine("[yellow]The secret is shown only this once: store it now (e.g. as IRIS_CLIENT_SECRET). "
                               + "If it is lost, create another credential and revoke this one.[/]");
        return ExitCodes.Ok;
    }
}

/// <summary><c>iris clients list</c>: the organization's credentials, oldest first, revoked ones included.</summary>
public sealed class ClientsListCommand : ClientCommand<ClientSettings>
{
    protected override async Task<int> RunAsync(Session session, ClientSettings settings, CancellationToken ct)
    {
        var clients = await new AuthManagementApi(session.Client).ListClientsAsync(ct);
        if (session.Json)
        {
            Output.Json(clients, IrisJsonContext.Indented.IReadOnlyListClientResponse);
            return ExitCodes.Ok;
        }
        var table = Output.Table("Client id", "Name", "Status", "Created", "Revoked");
        foreach (var c in clients)
        {
            var status = (c.IsActive ? "[green]active[/]" : "[grey]revoked[/]") + (c.IsCaller ? " (this one)" : "");
            table.AddRow(Markup.Escape(c.ClientId), Markup.Escape(c.Name), status, Output.Time(c.CreatedDt),
                c.RevokedDt is { } revoked ? Output.Time(revoked) : "");
        }
        AnsiConsole.Write(table);
        return ExitCodes.Ok;
    }
}

/// <summary><c>iris clients rename CLIENT_ID NAME</c>: gives an active credential of the organization a new name; it keeps working.</summary>
public sealed class ClientsRenameCommand : ClientCommand<ClientsRenameCommand.Settings>
{
    public sealed class Settings : ClientSettings
    {
        // Not "ClientId": that is the caller's own --client-id.
        [CommandArgument(0, "<CLIENT_ID>")]
        [Description("The client id of the credential to rename (see 'iris clients list').")]
        public string Renamed { get; init; } = "";

        [CommandArgument(1, "<NAME>")]
        [Description("Its new name (1 to 128 printable characters).")]
        public string Name { get; init; } = "";

        public override ValidationResult Validate() =>
            Renamed is "" or "." or ".."
                ? ValidationResult.Error($"'{Renamed}' is not a client id.")
                : base.Validate();
    }

    protected override async Task<int> RunAsync(Session session, Settings settings, CancellationToken ct)
    {
        ClientResponse renamed;
        try
        {
            renamed = await new AuthManagementApi(session.Client).RenameClientAsync(settings.Renamed, settings.Name, ct);
        }
        catch (ApiException e) when (e.StatusCode == 404)
        {
            throw new CliException(ExitCodes.NotFound, $"No active credential with client id '{settings.Renamed}' in your organization (see 'iris clients list').");
        }
        catch (ApiException e) when (e.StatusCode == 422)
        {
            throw new CliException(ExitCodes.Usage, $"Cannot rename the credential: {string.Join("; ", e.ValidationErrors.Select(v => v.Msg))}.");
        }
        if (session.Json)
        {
            Output.Json(renamed, IrisJsonContext.Indented.ClientResponse);
            return ExitCodes.Ok;
        }
        AnsiConsole.MarkupLine($"Renamed credential [bold]{Markup.Escape(renamed.ClientId)}[/] to {Markup.Escape(renamed.Name)}.");
        return ExitCodes.Ok;
    }
}

/// <summary><c>iris clients revoke CLIENT_ID [--yes]</c>: the credential's next request is refused (401).</summary>
public sealed class ClientsRevokeCommand : ClientCommand<ClientsRevokeCommand.Settings>
{
    public sealed class Settings : ClientSettings
    {
        // Not "ClientId": that is the caller's own --client-id.
        [CommandArgument(0, "<CLIENT_ID>")]
        [Description("The client id of the credential to revoke (see 'iris clients list').")]
        public string Revoked { get; init; } = "";

        [CommandOption("-y|--yes")]
        [Description("Do not ask for confirmation (it is asked only on a terminal).")]
        public bool Yes { get; init; }

        public override ValidationResult Validate() =>
            Revoked is "" or "." or ".."
                ? ValidationResult.Error($"'{Revoked}' is not a client id.")
                : ValidationResult.Success();
    }

    protected override async Task<int> RunAsync(Session session, Settings settings, CancellationToken ct)
    {
        if (!settings.Yes && !session.Json && Output.Interactive && !Console.IsInputRedirected
            && !await AnsiConsole.ConfirmAsync($"Revoke credential [bold]{Markup.Escape(settings.Revoked)}[/]? Whatever uses it will be refused from then on.", false, ct))
        {
            Console.Error.WriteLine("iris: Nothing revoked.");
            return ExitCodes.Failure;
        }
        ClientResponse revoked;
        try
        {
            revoked = await new AuthManagementApi(session.Client).RevokeClientAsync(settings.Revoked, ct);
        }
        catch (ApiException e) when (e.StatusCode == 404)
        {
            throw new CliException(ExitCodes.NotFound, $"No active credential with client id '{settings.Revoked}' in your organization (see 'iris clients list').");
        }
        catch (ApiException e) when (e.StatusCode == 422)
        {
            throw new CliException(ExitCodes.Usage, $"'{settings.Revoked}' is not a client id: {string.Join("; ", e.ValidationErrors.Select(v => v.Msg))}.");
        }
        if (session.Json)
        {
            Output.Json(revoked, IrisJsonContext.Indented.ClientResponse);
            return ExitCodes.Ok;
        }
        var name = revoked.Name is "" ? "" : $" ({Markup.Escape(revoked.Name)})";
        AnsiConsole.MarkupLine($"Revoked credential [bold]{Markup.Escape(revoked.ClientId)}[/]{name}.");
        if (revoked.IsCaller)
            AnsiConsole.MarkupLine("[yellow]It was the credential this command used: use another one from now on.[/]");
        return ExitCodes.Ok;
    }
}

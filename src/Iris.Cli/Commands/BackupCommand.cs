using System.ComponentModel;
using System.Diagnostics;
using Iris.Blobs;
using Iris.Catalog.Sqlite;
using Iris.Server.Hosting;
using Spectre.Console.Cli;

namespace Iris.Cli.Commands;

/// <summary>
/// <c>iris backup --data DIR --out DIR2</c>: a consistent copy of a (running) server's data folder: the catalog as one
/// snapshot, then every stored blob (uploads, previews) and the first-start credential file. The blobs are copied
/// after the snapshot, so the copy holds every blob its catalog names (Iris writes a blob before the row naming it).
/// With PostgreSQL and S3 there is nothing to copy here: back up the database and the bucket (see the README).
/// </summary>
public sealed class BackupCommand : AsyncCommand<BackupCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--data <DIR>")]
        [Description("Data folder of the server to back up (env IRIS_DATA; default ./iris-data). The server may keep running.")]
        public string? Data { get; init; }

        [CommandOption("--out <DIR>")]
        [Description("A new folder for the copy; 'iris serve --data DIR' starts from it.")]
        public string Out { get; init; } = "";

        public override Spectre.Console.ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Out) ? Spectre.Console.ValidationResult.Error("--out DIR is required.") : Spectre.Console.ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var source = Path.GetFullPath(settings.Data ?? Environment.GetEnvironmentVariable("IRIS_DATA") ?? new IrisOptions().DataDirectory);
        var target = Path.GetFullPath(settings.Out);
        var sourceCatalog = new IrisOptions { DataDirectory = source }.CatalogPath;
        if (!File.Exists(sourceCatalog))
            throw new CliException(ExitCodes.NotFound, $"{source} holds no catalog.db. A node on PostgreSQL keeps nothing to back up: back up the database (pg_dump) and the bucket.");
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
            throw new CliException(ExitCodes.Usage, $"{target} is not empty; back up into a new folder.");
        if (target.StartsWith(source + Path.DirectorySeparatorChar, StringComparison.Ordinal) || target == source)
            throw new CliException(ExitCodes.Usage, "--out must be outside the data folder.");
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(target);
        else Directory.CreateDirectory(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute); // owner-only, as the data folder

        var clock = Stopwatch.StartNew();
        var catalog = SqliteBackup.Copy(sourceCatalog, new IrisOptions { DataDirectory = target }.CatalogPath);
        var snapshot = clock.Elapsed;
        if (catalog.IntegrityCheck != "ok")
            throw new CliException(ExitCodes.Failure, $"The copy of the catalog failed SQLite's integrity check: {catalog.IntegrityCheck}");

        var from = new FileBlobStore(Path.Combine(source, "blobs"), cleanStaging: false);
        var to = new FileBlobStore(Path.Combine(target, "blobs"));
        var scratch = new TempFolder(Path.Combine(target, "tmp"));
        long blobs = 0, bytes = 0;
        await foreach (var blob in from.ListAsync("", cancellationToken))
        {
            await using var read = await from.OpenReadAsync(blob.Key, cancellationToken);
            if (read is null) continue; // deleted since it was listed: no row of the snapshot names it any more
            var file = scratch.NewPath();
            await using (var write = File.Create(file)) await read.CopyToAsync(write, cancellationToken);
            bytes += new FileInfo(file).Length;
            await to.PutFileAsync(blob.Key, file, cancellationToken);
            blobs++;
        }
        var credentials = Path.Combine(source, CredentialBootstrap.CredentialsFileName);
        if (File.Exists(credentials))
        {
            var copied = Path.Combine(target, CredentialBootstrap.CredentialsFileName);
            File.Copy(credentials, copied);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(copied, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        Console.WriteLine($"Backed up {source} to {target} in {clock.Elapsed.TotalSeconds:0.0} s: the catalog ({catalog.Images:N0} images, "
                          + $"{catalog.Completed:N0} completed, {catalog.InFlight:N0} in flight and queued again in the copy; snapshot in "
                          + $"{snapshot.TotalSeconds:0.0} s, integrity ok) and {blobs:N0} blobs ({bytes / 1e6:0.0} MB).");
        Console.WriteLine($"Start from it with: iris serve --data {target}");
        return ExitCodes.Ok;
    }
}

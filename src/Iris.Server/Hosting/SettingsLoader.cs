using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Iris.Server.Hosting;

/// <summary>
/// Fills <see cref="IrisOptions"/> from its <see cref="SettingAttribute"/> declarations, in this order of precedence:
/// the command line (<c>--max-pixels 5</c>, <c>--max-pixels=5</c>, a switch alone), the <c>IRIS_*</c> variables, a
/// JSON settings file (<c>--config FILE</c> or <c>IRIS_CONFIG</c>, keys as the flags without dashes), the defaults.
/// Unknown flags and unknown keys are refused, and every value is checked against its declaration.
/// </summary>
public static class SettingsLoader
{
    public const string ConfigFlag = "--config";
    public const string ConfigVariable = "IRIS_CONFIG";

    /// <summary>The declared settings in declaration order.</summary>
    public static IReadOnlyList<(PropertyInfo Property, SettingAttribute Setting)> Settings { get; } =
        typeof(IrisOptions).GetProperties()
            .Select(p => (Property: p, Setting: p.GetCustomAttribute<SettingAttribute>()))
            .Where(p => p.Setting is not null)
            .OrderBy(p => p.Property.MetadataToken)
            .Select(p => (p.Property, p.Setting!))
            .ToList();

    /// <summary>
    /// The options the arguments, the environment and the settings file give. <paramref name="switches"/> are
    /// command-specific switches (such as <c>--no-workers</c>); the ones given are returned in <paramref name="given"/>.
    /// </summary>
    public static IrisOptions Load(
        IReadOnlyList<string> args, Func<string, string?> environment, IReadOnlyCollection<string> switches, out HashSet<string> given)
    {
        var byFlag = Settings.ToDictionary(s => s.Setting.Flag, StringComparer.Ordinal);
        var flags = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        given = new HashSet<string>(StringComparer.Ordinal);
        string? configFile = null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
                throw new SettingsException($"Unexpected argument '{arg}': settings are given as --name value.");
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var flag = equals < 0 ? arg : arg[..equals];
            string? inline = equals < 0 ? null : arg[(equals + 1)..];
            if (switches.Contains(flag))
            {
                if (inline is not null) throw new SettingsException($"{flag} takes no value.");
                given.Add(flag);
                continue;
            }
            if (flag == ConfigFlag)
            {
                configFile = inline ?? NextValue(args, ref i, flag, "FILE");
                continue;
            }
            if (!byFlag.TryGetValue(flag, out var declared))
                throw new SettingsException($"Unknown option {flag}; 'iris serve --help' lists the settings.");
            var value = declared.Setting.Value is null
                ? inline ?? "true" // a switch
                : inline ?? NextValue(args, ref i, flag, declared.Setting.Value);
            if (!flags.TryGetValue(flag, out var values)) flags[flag] = values = [];
            if (values.Count > 0 && !IsList(declared.Property))
                throw new SettingsException($"{flag} is given twice; give it once.");
            values.Add(value);
        }

        configFile ??= environment(ConfigVariable) is { Length: > 0 } fromEnv ? fromEnv : null;
        var file = configFile is null ? null : ReadFile(configFile);

        var options = new IrisOptions();
        foreach (var (property, setting) in Settings)
        {
            var list = IsList(property);
            IReadOnlyList<string>? raw = null;
            string origin;
            if (flags.TryGetValue(setting.Flag, out var fromFlags))
            {
                raw = fromFlags;
                origin = "the command line";
            }
            else if (environment(setting.Variable) is { Length: > 0 } variable)
            {
                raw = list ? variable.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [variable];
                origin = setting.Variable;
            }
            else if (file?.GetSection(setting.Key) is { } section && (section.Value is not null || section.GetChildren().Any()))
            {
                raw = section.Value is { } scalar ? [scalar] : section.GetChildren().Select(c => c.Value ?? "").ToList();
                if (!list && raw.Count != 1) throw new SettingsException($"'{setting.Key}' in {configFile} must be one value, not a list.");
                origin = configFile!;
            }
            else
            {
                continue;
            }
            property.SetValue(options, list ? raw.ToList() : Parse(property.PropertyType, setting, raw[0], origin));
        }
        return options;
    }

    private static string NextValue(IReadOnlyList<string> args, ref int i, string flag, string placeholder)
    {
        if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
            throw new SettingsException($"{flag} needs a value ({flag} {placeholder}).");
        return args[++i];
    }

    private static bool IsList(PropertyInfo property) => property.PropertyType == typeof(List<string>);

    private static IConfiguration ReadFile(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new SettingsException($"The settings file {full} does not exist.");
        IConfiguration file;
        try
        {
            file = new ConfigurationBuilder().AddJsonFile(full, optional: false, reloadOnChange: false).Build();
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or System.Text.Json.JsonException)
        {
            throw new SettingsException($"The settings file {full} is not a JSON object of settings: {e.Message}");
        }
        var known = Settings.Select(s => s.Setting.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var child in file.GetChildren())
        {
            if (!known.Contains(child.Key))
                throw new SettingsException($"Unknown setting '{child.Key}' in {full}; its keys are the flags without the dashes, such as \"max-pixels\".");
        }
        return file;
    }

    private static object? Parse(Type type, SettingAttribute setting, string text, string origin)
    {
        var from = origin == "the command line" ? "" : $" (from {origin})";
        var shown = setting.Secret ? "" : $", not '{text}'";
        var nullable = Nullable.GetUnderlyingType(type);
        var target = nullable ?? type;
        if (target == typeof(string))
        {
            if (setting.HttpUrl && !(Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)))
                throw new SettingsException($"{setting.Flag} must be an http:// or https:// URL{shown}{from}.");
            if (setting.Choices?.Split(',') is { } choices && !choices.Contains(text, StringComparer.Ordinal))
                throw new SettingsException($"{setting.Flag} must be {string.Join(" or ", choices)}{shown}{from}.");
            return text;
        }
        if (target == typeof(bool))
        {
            return text.Trim().ToLowerInvariant() switch
            {
                "true" or "1" or "yes" => true,
                "false" or "0" or "no" => false,
                _ => throw new SettingsException($"{setting.Flag} must be true or false{shown}{from}."),
            };
        }
        if (target == typeof(int) || target == typeof(long))
        {
            var min = double.IsNaN(setting.Min) ? (target == typeof(int) ? int.MinValue : long.MinValue) : (long)setting.Min;
            var max = double.IsNaN(setting.Max) || setting.Max >= long.MaxValue ? (target == typeof(int) ? int.MaxValue : long.MaxValue) : (long)setting.Max;
            if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) || number < min || number > max)
                throw new SettingsException($"{setting.Flag} must be a whole number from {min} to {max}{shown}{from}.");
            return target == typeof(int) ? (object)(int)number : number;
        }
        if (target == typeof(TimeSpan))
        {
            var unit = setting.Unit == SettingUnit.Milliseconds ? "milliseconds" : "seconds";
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number)
                || (!double.IsNaN(setting.Min) && number < setting.Min) || (!double.IsNaN(setting.Max) && number > setting.Max))
                throw new SettingsException($"{setting.Flag} must be a number of {unit} from {setting.Min.ToString(CultureInfo.InvariantCulture)} to {setting.Max.ToString(CultureInfo.InvariantCulture)}{shown}{from}.");
            return setting.Unit == SettingUnit.Milliseconds ? TimeSpan.FromMilliseconds(number) : TimeSpan.FromSeconds(number);
        }
        throw new InvalidOperationException($"Setting {setting.Flag} has a type the loader does not read ({type}).");
    }

    /// <summary>The default of a setting as help and the README show it.</summary>
    public static string DefaultText(PropertyInfo property, SettingAttribute setting)
    {
        if (setting.DefaultText is { } text) return text;
        var value = property.GetValue(new IrisOptions());
        return value switch
        {
            null => "none",
            bool b => b ? "on" : "off",
            List<string> { Count: 0 } => "none",
            TimeSpan t when setting.Unit == SettingUnit.Milliseconds => t.TotalMilliseconds.ToString(CultureInfo.InvariantCulture),
            TimeSpan t => t.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
    }
}

using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Iris.Server.Api;

/// <summary>
/// Reads the fields of one JSON object of a request body, FastAPI style: each bad value is one error at
/// <c>loc = prefix + field</c> (+ index), and a field that is absent or null reads as null.
/// </summary>
public sealed class BodyFields(JsonElement obj, ValidationErrors errors, params object[] prefix)
{
    public JsonElement Object => obj;

    /// <summary>The fields of a body that must be a JSON object, or null with a <c>dict_type</c> error at <c>["body"]</c>.</summary>
    public static BodyFields? OfBody(JsonBody body, ValidationErrors errors)
    {
        if (body.Root.ValueKind == JsonValueKind.Object) return new BodyFields(body.Root, errors, "body");
        errors.WrongType(JsonValueKind.Object, "body");
        return null;
    }

    public ValidationErrors Errors => errors;

    public object[] Loc(params object[] rest) => [.. prefix, .. rest];

    /// <summary>The field, or null if absent or null (and an error if <paramref name="required"/>).</summary>
    public JsonElement? Get(string name, bool required = false)
    {
        if (obj.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null) return value;
        if (required) errors.Missing(Loc(name));
        return null;
    }

    public string? String(string name, bool required = false, int maxLength = 4096)
    {
        if (Get(name, required) is not { } value) return null;
        if (value.ValueKind != JsonValueKind.String)
        {
            errors.WrongType(JsonValueKind.String, Loc(name));
            return null;
        }
        var text = value.GetString()!;
        if (text.Length > maxLength)
        {
            errors.Add($"String should have at most {maxLength} characters", "string_too_long", Loc(name));
            return null;
        }
        return text;
    }

    public bool? Bool(string name)
    {
        if (Get(name) is not { } value) return null;
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False) return value.GetBoolean();
        errors.Add("Input should be a valid boolean", "bool_type", Loc(name));
        return null;
    }

    public double? Number(string name)
    {
        if (Get(name) is not { } value) return null;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number)) return number;
        errors.Add("Input should be a valid number", "float_type", Loc(name));
        return null;
    }

    public int? Int(string name, int min, int max)
    {
        if (Get(name) is not { } value) return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number))
        {
            errors.Add("Input should be a valid integer", "int_type", Loc(name));
            return null;
        }
        if (number < min) errors.Add($"Input should be greater than or equal to {min}", "greater_than_equal", Loc(name));
        else if (number > max) errors.Add($"Input should be less than or equal to {max}", "less_than_equal", Loc(name));
        else return number;
        return null;
    }

    public Guid? Uuid(string name, bool required = false)
    {
        if (String(name, required, 64) is not { } text) return null;
        if (Guid.TryParse(text, out var id)) return id;
        errors.NotUuid(Loc(name));
        return null;
    }

    /// <summary>One of <paramref name="allowed"/>; anything else is an <c>enum</c> error naming them.</summary>
    public string? Enum(string name, IReadOnlyList<string> allowed, bool required = false)
    {
        if (String(name, required, 256) is not { } text) return null;
        if (allowed.Contains(text, StringComparer.Ordinal)) return text;
        errors.Add(EnumMessage(allowed), "enum", Loc(name));
        return null;
    }

    /// <summary>A list of strings (each checked by <paramref name="allowed"/> when given), at most <paramref name="maxItems"/>.</summary>
    public List<string>? Strings(string name, int maxItems, IReadOnlyList<string>? allowed = null, int maxLength = 1024)
    {
        if (Array(name, maxItems) is not { } array) return null;
        var list = new List<string>();
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String) errors.WrongType(JsonValueKind.String, Loc(name, i));
            else if (item.GetString()!.Length > maxLength) errors.Add($"String should have at most {maxLength} characters", "string_too_long", Loc(name, i));
            else if (allowed is not null && !allowed.Contains(item.GetString()!, StringComparer.Ordinal)) errors.Add(EnumMessage(allowed), "enum", Loc(name, i));
            else list.Add(item.GetString()!);
            i++;
        }
        return list;
    }

    public JsonElement? Array(string name, int maxItems, bool required = false)
    {
        if (Get(name, required) is not { } value) return null;
        if (value.ValueKind != JsonValueKind.Array)
        {
            errors.WrongType(JsonValueKind.Array, Loc(name));
            return null;
        }
        var count = value.GetArrayLength();
        if (count > maxItems)
        {
            errors.TooLong(maxItems, count, Loc(name));
            return null;
        }
        return value;
    }

    public JsonElement? ObjectField(string name, bool required = false)
    {
        if (Get(name, required) is not { } value) return null;
        if (value.ValueKind == JsonValueKind.Object) return value;
        errors.WrongType(JsonValueKind.Object, Loc(name));
        return null;
    }

    public static string EnumMessage(IReadOnlyList<string> allowed) =>
        "Input should be " + string.Join(", ", allowed.Take(allowed.Count - 1).Select(a => $"'{a}'")) +
        (allowed.Count > 1 ? " or " : "") + $"'{allowed[^1]}'";
}

/// <summary>Reads query parameters, FastAPI style: a bad value is one error at <c>["query", name]</c> (+ index for lists).</summary>
public sealed class QueryFields(IQueryCollection query, ValidationErrors errors)
{
    private string? One(string name) => query.TryGetValue(name, out var values) && values.Count > 0 ? values[^1] : null;

    public int Int(string name, int fallback, int min, int max) => ParseInt(One(name), fallback, min, max, name, errors);

    /// <summary>A query integer given as text (null: <paramref name="fallback"/>), checked against its range.</summary>
    public static int ParseInt(string? text, int fallback, int min, int max, string name, ValidationErrors errors)
    {
        if (text is null) return fallback;
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            errors.Add("Input should be a valid integer, unable to parse string as an integer", "int_parsing", "query", name);
            return fallback;
        }
        if (value < min) errors.Add($"Input should be greater than or equal to {min}", "greater_than_equal", "query", name);
        else if (value > max) errors.Add($"Input should be less than or equal to {max}", "less_than_equal", "query", name);
        return value;
    }

    /// <summary>true/false as pydantic reads them (also 1/0, yes/no, on/off).</summary>
    public bool? Bool(string name)
    {
        if (One(name) is not { } text) return null;
        switch (text.ToLowerInvariant())
        {
            case "true" or "1" or "yes" or "on" or "t" or "y": return true;
            case "false" or "0" or "no" or "off" or "f" or "n": return false;
            default:
                errors.Add("Input should be a valid boolean, unable to interpret input", "bool_parsing", "query", name);
                return null;
        }
    }

    public DateTimeOffset? Time(string name)
    {
        if (One(name) is not { } text) return null;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
            return value;
        errors.Add("Input should be a valid datetime", "datetime_parsing", "query", name);
        return null;
    }

    public Guid? Uuid(string name)
    {
        if (One(name) is not { } text) return null;
        if (Guid.TryParse(text, out var id)) return id;
        errors.NotUuid("query", name);
        return null;
    }

    public string? String(string name, int maxLength = 1024)
    {
        if (One(name) is not { } text) return null;
        if (text.Length <= maxLength) return text;
        errors.Add($"String should have at most {maxLength} characters", "string_too_long", "query", name);
        return null;
    }

    public string? Enum(string name, IReadOnlyList<string> allowed)
    {
        if (One(name) is not { } text) return null;
        if (allowed.Contains(text, StringComparer.Ordinal)) return text;
        errors.Add(BodyFields.EnumMessage(allowed), "enum", "query", name);
        return null;
    }

    /// <summary>A repeated parameter; null when absent.</summary>
    public List<string>? EnumList(string name, IReadOnlyList<string> allowed)
    {
        if (!query.TryGetValue(name, out var values) || values.Count == 0) return null;
        var list = new List<string>();
        for (var i = 0; i < values.Count; i++)
        {
            if (values[i] is { } v && allowed.Contains(v, StringComparer.Ordinal)) list.Add(v);
            else errors.Add(BodyFields.EnumMessage(allowed), "enum", "query", name, i);
        }
        return list;
    }

    public List<Guid>? UuidList(string name, int maxItems)
    {
        if (!query.TryGetValue(name, out var values) || values.Count == 0) return null;
        if (values.Count > maxItems)
        {
            errors.TooLong(maxItems, values.Count, "query", name);
            return null;
        }
        var list = new List<Guid>();
        for (var i = 0; i < values.Count; i++)
        {
            if (Guid.TryParse(values[i], out var id)) list.Add(id);
            else errors.NotUuid("query", name, i);
        }
        return list;
    }
}

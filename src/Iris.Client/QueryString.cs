using System.Globalization;
using System.Text;

namespace Iris.Client;

/// <summary>Builds a route with its query string; null values are left out, lists are repeated parameters (as FastAPI reads them).</summary>
internal sealed class QueryString(string route)
{
    private readonly StringBuilder _url = new(route);
    private bool _any;

    public QueryString Add(string name, string? value)
    {
        if (value is null) return this;
        _url.Append(_any ? '&' : '?').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        _any = true;
        return this;
    }

    public QueryString Add(string name, int? value) => Add(name, value?.ToString(CultureInfo.InvariantCulture));

    public QueryString Add(string name, bool? value) => Add(name, value is null ? null : value.Value ? "true" : "false");

    public QueryString Add(string name, Guid? value) => Add(name, value?.ToString());

    public QueryString Add(string name, DateTimeOffset? value) =>
        Add(name, value?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));

    public QueryString Add<T>(string name, IEnumerable<T>? values)
    {
        if (values is null) return this;
        foreach (var value in values) Add(name, Convert.ToString(value, CultureInfo.InvariantCulture));
        return this;
    }

    public override string ToString() => _url.ToString();
}

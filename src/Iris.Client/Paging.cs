using System.Runtime.CompilerServices;

namespace Iris.Client;

/// <summary>Walks an offset-paged v1 list to its end, as given by the pages' <c>meta.page.total</c>.</summary>
internal static class Paging
{
    public static async IAsyncEnumerable<TItem> EnumerateAsync<TPage, TItem>(
        Func<int, int, CancellationToken, Task<TPage>> fetch, Func<TPage, IReadOnlyList<TItem>> items, Func<TPage, PagedMeta?> meta,
        int pageSize, int maxPageSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, maxPageSize);
        var offset = 0;
        while (true)
        {
            var page = await fetch(offset, pageSize, cancellationToken).ConfigureAwait(false);
            var list = items(page);
            foreach (var item in list) yield return item;
            offset += list.Count;
            // The total says when the list ends; without one, a short page does.
            if (list.Count == 0 || (meta(page)?.Page.Total is { } total ? offset >= total : list.Count < pageSize)) yield break;
        }
    }
}

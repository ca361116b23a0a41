namespace MdrMesh.ServiceDefaults;

public static class Paging
{
    public const int MaxPageSize = 1000;
    public const int DefaultPageSize = 100;

    /// <summary><c>page</c> is 1-based; past the end the page is empty. Bounds are checked by <see cref="InputBounds"/>.</summary>
    public static IReadOnlyList<T> Page<T>(IEnumerable<T> items, int? page, int? pageSize)
    {
        var (skip, take) = Window(page, pageSize);
        return items.Skip(skip).Take(take).ToList();
    }

    /// <summary>How many items to skip and take for a page.</summary>
    public static (int Skip, int Take) Window(int? page, int? pageSize)
    {
        var size = Math.Clamp(pageSize ?? DefaultPageSize, 1, MaxPageSize);
        var number = Math.Clamp(page ?? 1, 1, InputBounds.MaxPage);
        return ((int)Math.Min((long)(number - 1) * size, int.MaxValue), size);
    }
}

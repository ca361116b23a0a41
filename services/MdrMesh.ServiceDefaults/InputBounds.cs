using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using MdrMesh.Contracts.Validation;
using Microsoft.AspNetCore.Http;

namespace MdrMesh.ServiceDefaults;

/// <summary>
/// Bounds every request body of the API before a handler sees it: arrays of at most
/// <see cref="MaxItems"/>, <c>page_size</c> 1..<see cref="Paging.MaxPageSize"/>, <c>page</c> from 1,
/// strings within <see cref="MaxString"/> (items of arrays within <see cref="MaxItemString"/>).
/// Handlers check the spec's tighter lengths; this is the floor under all of them. Bad input is a
/// 400 naming the field and the rule.
/// </summary>
public static class InputBounds
{
    public const int MaxItems = 1000;
    public const int MaxString = 16_384;
    public const int MaxItemString = 1024;
    public const int MaxPage = 1_000_000;

    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> Properties = new();

    public static async ValueTask<object?> Filter(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var errors = new List<ValidationError>();
        foreach (var argument in context.Arguments)
            if (argument is not null && IsRequest(argument.GetType()))
                Check(argument, errors);
        return errors.Count > 0 ? ApiProblems.BadRequest(errors) : await next(context);
    }

    // Request bodies are the handlers' own records; HttpContext, Caller and services are not.
    private static bool IsRequest(Type type) =>
        type.Namespace?.StartsWith("MdrMesh.", StringComparison.Ordinal) == true && type != typeof(Caller) && type.GetMethod("<Clone>$") is not null;

    public static void Check(object request, List<ValidationError> errors)
    {
        foreach (var property in Properties.GetOrAdd(request.GetType(), t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                     .Where(p => p.GetIndexParameters().Length == 0).ToArray()))
        {
            var name = JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name);
            var value = property.GetValue(request);
            var at = new Check(errors, name);
            switch (value)
            {
                case string text:
                    if (text.Length > MaxString) at.Fail($"must be at most {MaxString} characters");
                    break;
                case int number when name == "page_size":
                    at.InRange(number, 1, Paging.MaxPageSize);
                    break;
                case int number when name == "page":
                    at.InRange(number, 1, MaxPage);
                    break;
                case ICollection items when value is not IDictionary:
                    if (items.Count > MaxItems) at.Fail($"must have at most {MaxItems} items");
                    else CheckItems(items, at);
                    break;
            }
        }
    }

    private static void CheckItems(ICollection items, Check at)
    {
        var i = 0;
        foreach (var item in items)
        {
            if (item is string text && text.Length > MaxItemString) at.Item(i).Fail($"must be at most {MaxItemString} characters");
            i++;
        }
    }
}

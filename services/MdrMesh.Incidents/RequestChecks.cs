using MdrMesh.Contracts.Validation;

namespace MdrMesh.Incidents;

public static class RequestChecks
{
    /// <summary>Each item of an optional list non-empty and at most <paramref name="maxLength"/> characters, reported as <c>field[i]</c>.</summary>
    public static bool Items(this Check at, IReadOnlyList<string?>? values, int maxLength)
    {
        var ok = true;
        for (var i = 0; i < (values?.Count ?? 0); i++) ok &= at.Item(i).NonEmpty(values![i], maxLength);
        return ok;
    }
}

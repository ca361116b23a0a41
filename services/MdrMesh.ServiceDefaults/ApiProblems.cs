using MdrMesh.Contracts.Validation;
using Microsoft.AspNetCore.Http;

namespace MdrMesh.ServiceDefaults;

/// <summary>RFC 7807 answers of the API, with the field and rule for bad input.</summary>
public static class ApiProblems
{
    public static IResult BadRequest(IEnumerable<ValidationError> errors) =>
        Results.ValidationProblem(
            errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Rule).ToArray()),
            title: "The request is not valid.",
            type: "https://mdrmesh.dev/problems/validation");

    public static IResult BadRequest(string field, string rule) => BadRequest([new ValidationError(field, rule)]);

    public static IResult NotFound(string what) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: $"{what} was not found.");

    public static IResult Conflict(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "The change conflicts with the current state.", detail: detail);
}

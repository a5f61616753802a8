using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CommitmentLedger.Infrastructure;

/// <summary>
/// The problem+json answers an endpoint can give, one attribute instead of a <c>[ProducesResponseType]</c> per
/// status: 400 is a <see cref="ValidationProblemDetails"/> (the bad fields), the others a <see cref="ProblemDetails"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ProblemResponsesAttribute(params int[] statusCodes) : Attribute
{
    public IReadOnlyList<int> StatusCodes { get; } = statusCodes;
}

public static class ProblemResponses
{
    private const string ProblemJson = "application/problem+json";

    /// <summary>Adds the OpenAPI response of each status a <see cref="ProblemResponsesAttribute"/> names.</summary>
    public static void DescribeProblemResponses(this WolverineHttpOptions opts) => opts.ConfigureEndpoints(chain =>
    {
        if (chain.Method.Method.GetCustomAttributes(typeof(ProblemResponsesAttribute), false) is not [ProblemResponsesAttribute problems])
        {
            return;
        }
        foreach (var status in problems.StatusCodes)
        {
            if (status == StatusCodes.Status400BadRequest)
            {
                chain.Metadata.Produces<ValidationProblemDetails>(status, ProblemJson);
            }
            else
            {
                chain.Metadata.Produces<ProblemDetails>(status, ProblemJson);
            }
        }
    });
}

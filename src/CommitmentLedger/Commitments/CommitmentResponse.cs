using CommitmentLedger.Infrastructure;
using Marten;
using Microsoft.Extensions.Options;

namespace CommitmentLedger.Commitments;

/// <summary>Writes a view with its <c>ETag</c>, using the service's JSON settings.</summary>
public sealed class ViewResult(CommitmentView view, int statusCode = StatusCodes.Status200OK) : IResult
{
    public Task ExecuteAsync(HttpContext http)
    {
        http.Response.Headers.ETag = ETags.For(view.Version);
        if (statusCode == StatusCodes.Status201Created)
        {
            http.Response.Headers.Location = $"/api/commitments/{view.Id}";
        }
        var json = http.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value;
        return Results.Json(view, json.SerializerOptions, statusCode: statusCode).ExecuteAsync(http);
    }
}

/// <summary>
/// Answers a write with the commitment as stored. Wolverine executes an <see cref="IResult"/> after the
/// transaction has committed, so the view (and its ETag) is the one the client will read back.
/// </summary>
public sealed class CommitmentResponse(IDocumentSession session, Guid id, int statusCode = StatusCodes.Status200OK) : IResult
{
    public async Task ExecuteAsync(HttpContext http)
    {
        var commitment = await session.Events.FetchLatest<Commitment>(id, http.RequestAborted)
                         ?? throw new InvalidOperationException($"Commitment {id} was written but cannot be read back");
        var today = http.RequestServices.GetRequiredService<TimeProvider>().Today();
        await new ViewResult(CommitmentView.Of(commitment, today), statusCode).ExecuteAsync(http);
    }
}

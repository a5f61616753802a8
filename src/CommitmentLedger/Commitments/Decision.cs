using CommitmentLedger.Infrastructure;
using Wolverine.Marten;

namespace CommitmentLedger.Commitments;

/// <summary>The outcome of a pure decision over (state, command): events to append, a bad field, or a conflict.</summary>
public abstract record Decision
{
    public sealed record Accepted(object[] Events) : Decision;

    /// <summary>The command is wrong for this commitment (e.g. a date before it was made): 400 naming the field.</summary>
    public sealed record Invalid(string Field, string Message) : Decision;

    /// <summary>The current state forbids the change (DESIGN.md §4): 409.</summary>
    public sealed record Conflict(string Detail, IDictionary<string, object?>? Extensions = null) : Decision;

    public static Decision Accept(params object[] events) => new Accepted(events);

    /// <summary>The endpoint answer for a decision: the new view after commit, or a problem and nothing appended.</summary>
    public (IResult, Events) ToResponse(Marten.IDocumentSession session, Guid id) => this switch
    {
        Accepted accepted => (new CommitmentResponse(session, id), new Events(accepted.Events)),
        Invalid invalid => (Problems.Invalid(invalid.Field, invalid.Message), new Events()),
        Conflict conflict => (Problems.Conflict(conflict.Detail, conflict.Extensions), new Events()),
        _ => throw new InvalidOperationException($"Unknown decision {GetType().Name}"),
    };
}

/// <summary>The shape every write on an existing commitment shares: If-Match, then parse, then decide.</summary>
public static class CommitmentWrite
{
    public static (IResult, Events) Run<TCommand>(Commitment state, HttpContext http, Marten.IDocumentSession session,
        Func<FieldErrors, TCommand?> parse, Func<TCommand, Decision> decide) where TCommand : class
    {
        if (ETags.CheckIfMatch(http, state.Version) is { } preconditionFailed)
        {
            return (preconditionFailed, new Events());
        }
        var errors = new FieldErrors();
        return parse(errors) is { } command
            ? decide(command).ToResponse(session, state.Id)
            : (Problems.Invalid(errors), new Events());
    }
}

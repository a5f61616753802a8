using CommitmentLedger.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;

namespace CommitmentLedger.Commitments;

public sealed record AddTranslationRequest(string? Field, string? Language, string? Text, string? Translator);

public sealed record AddTranslation(TranslatableField Field, string Language, string Text, Translator Translator);

public static class AddTranslationEndpoint
{
    public static AddTranslation? Parse(AddTranslationRequest? body, FieldErrors errors)
    {
        if (!Input.RequireBody(errors, body)) return null;
        if (!Vocabulary.TryParse<TranslatableField>(body.Field, out var field))
        {
            errors.Add("field", $"must be one of the translatable fields: {Vocabulary.Words<TranslatableField>()}");
        }
        if (!Input.IsLanguageTag(body.Language))
        {
            errors.Add("language", "is required: a language tag such as 'en', 'vi' or 'pt-BR'");
        }
        Input.RequireText(errors, "text", body.Text, field == TranslatableField.Title ? Limits.TitleText : Limits.Quote);
        if (!Vocabulary.TryParse<Translator>(body.Translator, out var translator))
        {
            errors.Add("translator", $"must be one of: {Vocabulary.Words<Translator>()}");
        }
        return errors.Any ? null : new AddTranslation(field, body.Language!, body.Text!.Trim(), translator);
    }

    /// <summary>
    /// A translation adds a language: it never replaces the original, nor a title text recorded with the commitment,
    /// but may replace an earlier translation. The same translation again appends nothing.
    /// </summary>
    public static Decision Decide(Commitment state, AddTranslation command)
    {
        var field = Vocabulary.Word(command.Field);
        string? original;
        if (command.Field == TranslatableField.Quote)
        {
            if (state.Source?.Quote is null)
            {
                return new Decision.Invalid("field", "this commitment quotes no source: only its title can be translated");
            }
            original = state.Source.QuoteLanguage;
        }
        else
        {
            original = state.OriginalLanguage;
        }
        if (command.Language == original)
        {
            return new Decision.Invalid("language",
                $"'{command.Language}' is the original language of the {field}; a translation is into another language");
        }
        var earlier = state.Translations.FirstOrDefault(t => t.Field == command.Field && t.Language == command.Language);
        if (command.Field == TranslatableField.Title && earlier is null && state.Title.ContainsKey(command.Language))
        {
            return new Decision.Invalid("language",
                $"the title was recorded with a '{command.Language}' text; a translation adds a language the title lacks");
        }
        return earlier is not null && earlier.Text == command.Text && earlier.Translator == command.Translator
            ? Decision.Accept()
            : Decision.Accept(new TranslationAdded(command.Field, command.Language, command.Text, command.Translator));
    }

    [WolverinePost("/api/commitments/{id}/translations", OperationId = "addTranslation")]
    [Tags("Commitments")]
    [EndpointSummary("Add a translation of the title or of the source quote; the original language stays flagged")]
    [ProducesResponseType<CommitmentView>(StatusCodes.Status200OK)]
    [ProblemResponses(400, 404, 409, 413, 412)]
    public static (IResult, Events) Post(AddTranslationRequest body, [WriteAggregate("id")] Commitment commitment,
        IDocumentSession session, HttpContext http)
        => CommitmentWrite.Run(commitment, http, session,
            errors => Parse(body, errors),
            command => Decide(commitment, command));
}

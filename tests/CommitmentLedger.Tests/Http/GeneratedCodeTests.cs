using System.Reflection;
using JasperFx.CodeGeneration;
using JasperFx.CodeGeneration.Model;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Wolverine.Http;
using Wolverine.Runtime;

namespace CommitmentLedger.Tests.Http;

/// <summary>
/// The service runs the Wolverine code pre-generated into src/CommitmentLedger/Internal/Generated
/// (<c>dotnet run --project src/CommitmentLedger -- codegen write</c>), never code compiled at runtime.
/// A missing generated type already stops the host from starting (so every HTTP test fails); these
/// tests name the cause and catch what starting does not: a switch back to runtime compilation, an
/// endpoint left out of the generated registry (Static mode maps only the endpoints listed there, so a
/// new endpoint would silently answer 404), and generated code that still compiles but no longer says
/// what the endpoints and policies say (e.g. a middleware policy changed). deploy/codegen-check.sh
/// makes the same content check from the command line and rewrites the files.
/// </summary>
public sealed class GeneratedCodeTests(AppFixture fixture) : LedgerContext(fixture)
{
    private const string Regenerate =
        "run: dotnet run --project src/CommitmentLedger -- codegen write, then commit src/CommitmentLedger/Internal/Generated";

    [Fact]
    public void Wolverine_loads_pre_generated_types_and_has_no_runtime_compiler()
    {
        var rules = Host.Services.GetRequiredService<IWolverineRuntime>().Options.CodeGeneration;

        rules.TypeLoadMode.ShouldBe(TypeLoadMode.Static,
            "Program.cs must keep opts.CodeGeneration.TypeLoadMode = TypeLoadMode.Static");
        rules.ApplicationAssembly.ShouldBe(typeof(Program).Assembly);
        Host.Services.GetService<IAssemblyGenerator>().ShouldBeNull(
            "a Roslyn IAssemblyGenerator is registered (WolverineFx.RuntimeCompilation?): the service must not compile code at runtime");
    }

    [Fact]
    public void Every_endpoint_in_the_code_is_mapped_and_served_by_its_pre_generated_handler()
    {
        var declared = typeof(Program).Assembly.GetExportedTypes()
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .SelectMany(method => method.GetCustomAttributes<WolverineHttpMethodAttribute>()
                .Select(route => (route.HttpMethod, Route: "/" + route.Template.TrimStart('/'), Method: $"{method.DeclaringType!.Name}.{method.Name}")))
            .ToList();
        declared.Count.ShouldBeGreaterThan(0);

        var mapped = Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();

        var problems = new List<string>();
        foreach (var (httpMethod, route, method) in declared)
        {
            var endpoint = mapped.FirstOrDefault(e =>
                "/" + e.RoutePattern.RawText?.TrimStart('/') == route &&
                (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains(httpMethod, StringComparer.OrdinalIgnoreCase) ?? false));
            if (endpoint is null)
            {
                problems.Add($"{httpMethod} {route} ({method}) is not mapped: the generated endpoint registry does not list it");
                continue;
            }

            // In Static mode Wolverine builds each handler at startup from the pre-built type and maps its
            // Handle method directly; a chain compiled at runtime (Dynamic/Auto) is mapped through a lazy closure.
            var handler = endpoint.RequestDelegate?.Target;
            if (handler is not HttpHandler || handler.GetType().Assembly != typeof(Program).Assembly)
            {
                problems.Add($"{httpMethod} {route} ({method}) is served by {handler?.GetType().FullName ?? "nothing"}, " +
                             "not by a handler type pre-generated into the CommitmentLedger assembly");
            }
        }

        problems.ShouldBeEmpty($"{Regenerate}\n{string.Join("\n", problems)}");
    }

    [Fact]
    public void The_committed_generated_code_is_what_codegen_write_would_write_now()
    {
        // Runs the generator of `codegen write` on this host's endpoints and policies, into a temporary
        // folder instead of the committed one, and compares file by file. Generation assembles each chain
        // once, which Static mode otherwise never does, so this can run only once per host.
        var services = Host.Services;
        var collections = services.GetServices<ICodeFileCollection>().ToArray();
        var rules = collections.Select(c => c.Rules).Distinct().ToArray();
        // In Dynamic/Auto a chain assembled here could not be compiled on its first request afterwards,
        // breaking the other tests: check only what Static mode runs (the first test names the mode).
        rules.ShouldAllBe(r => r.TypeLoadMode == TypeLoadMode.Static, "content not checked: Wolverine is not in TypeLoadMode.Static");
        var committedPaths = rules.Select(r => r.GeneratedCodeOutputPath).ToArray();
        var committed = committedPaths.Distinct().ShouldHaveSingleItem();
        Directory.Exists(committed).ShouldBeTrue($"no generated code at {committed}; {Regenerate}");

        var fresh = Directory.CreateTempSubdirectory("ledger-codegen-").FullName;
        try
        {
            foreach (var rule in rules) rule.GeneratedCodeOutputPath = fresh;
            try
            {
                new DynamicCodeBuilder(services, collections) { ServiceVariableSource = services.GetService<IServiceVariableSource>() }
                    .WriteGeneratedCode(_ => { });
            }
            finally
            {
                for (var i = 0; i < rules.Length; i++) rules[i].GeneratedCodeOutputPath = committedPaths[i];
            }

            var expected = SourceFiles(fresh);
            var actual = SourceFiles(committed);
            expected.Count.ShouldBeGreaterThan(0);
            var stale = expected.Keys.Union(actual.Keys).Order(StringComparer.Ordinal)
                .Select(file => (expected.TryGetValue(file, out var now), actual.TryGetValue(file, out var was)) switch
                {
                    (true, false) => $"missing   {file}",
                    (false, true) => $"obsolete  {file}",
                    _ when now != was => $"stale     {file}",
                    _ => null,
                })
                .OfType<string>()
                .ToList();
            stale.ShouldBeEmpty($"{Regenerate}\n(in {committed})\n{string.Join("\n", stale)}");
        }
        finally
        {
            Directory.Delete(fresh, recursive: true);
        }
    }

    private static Dictionary<string, string> SourceFiles(string root) =>
        Directory.GetFiles(root, "*.cs", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f).Replace('\\', '/'), File.ReadAllText);
}

namespace EdgeSentry.Tests.Architecture;

/// <summary>House rules on the shape of src/ (STYLE.md): one public type per file; rule kinds known in one table only.</summary>
public class SourceLayoutTests
{
    /// <summary>Rules/ and Pipeline/ may name kinds only here: the kinds themselves, their names, and the kind → evaluator table.</summary>
    private static readonly string[] KindTables = ["EdgeSentry/Rules/RuleKind.cs", "EdgeSentry/Rules/RuleKinds.cs", "EdgeSentry/Rules/RuleEvaluators.cs"];

    [Fact]
    public void Source_EveryFile_HasAFileScopedNamespace()
    {
        var files = SourceScan.Files().ToList();
        Assert.NotEmpty(files);
        var blockScoped = files.Where(f => !SourceScan.HasFileScopedNamespace(f.Text)).Select(f => f.Path).ToList();
        Assert.True(blockScoped.Count == 0, "files without a file-scoped namespace (the type scan reads column 0 as top level): " + string.Join(", ", blockScoped));
    }

    [Fact]
    public void Source_EveryFile_DeclaresAtMostOnePublicTopLevelType()
    {
        var scanned = SourceScan.Files().Select(f => (f.Path, Types: SourceScan.TopLevelPublicTypes(f.Text).Distinct(StringComparer.Ordinal).ToList())).ToList();
        // The scan sees the service's public types at all (a broken pattern would find none and pass).
        Assert.True(scanned.Sum(f => f.Types.Count) > 100, "the scan found almost no public types; is its pattern broken?");
        var crowded = scanned.Where(f => f.Types.Count > 1).Select(f => $"{f.Path}: {string.Join(", ", f.Types)}").ToList();
        Assert.True(crowded.Count == 0, "one public type per file; these files hold more:\n" + string.Join('\n', crowded));
    }

    [Fact]
    public void Source_NoFile_QualifiesMembersWithThis()
    {
        // This folder's own samples show the pattern on purpose.
        var files = SourceScan.AllCode().Where(f => !f.Path.StartsWith("tests/EdgeSentry.Tests/Architecture/", StringComparison.Ordinal)).ToList();
        Assert.Contains(files, f => f.Path.StartsWith("tests/", StringComparison.Ordinal));
        var qualified = files.SelectMany(f => SourceScan.ThisQualifications(f.Text).Select(q => $"{f.Path}: {q}")).ToList();
        Assert.True(qualified.Count == 0, "fields are _camelCase, so 'this.' is never needed (IDE0003; the build cannot run it):\n" + string.Join('\n', qualified));
    }

    [Theory]
    [InlineData("        this.output = output;", 1)]
    [InlineData("    public int Other() => this.Next();", 1)]
    [InlineData("        _output = output; // not this.output", 0)]
    [InlineData("        Register(this, sender.this_value);", 0)]
    public void ThisQualifications_Line_FindsTheQualifiedAccess(string line, int expected) =>
        Assert.Equal(expected, SourceScan.ThisQualifications(line).Count);

    [Fact]
    public void TopLevelPublicTypes_FileWithRecordEnumAndNestedType_FindsOnlyTheTopLevelOnes()
    {
        const string source = """
            namespace Sample;

            /// <summary>public class InAComment</summary>
            public sealed record Camera(string Id);

            public enum Mode
            {
                A,
            }

            public static partial class Outer
            {
                public sealed class Nested;
            }

            internal sealed class Hidden;

            public readonly record struct Point(float X, float Y);

            public delegate void Changed(object sender, int value);
            """;

        Assert.Equal(["Camera", "Mode", "Outer", "Point", "Changed"], SourceScan.TopLevelPublicTypes(source));
    }

    [Fact]
    public void RulesAndPipeline_NoClass_BranchesOnTheRuleKind()
    {
        var files = SourceScan.Files("EdgeSentry/Rules", "EdgeSentry/Pipeline").Where(f => !KindTables.Contains(f.Path, StringComparer.Ordinal)).ToList();
        Assert.Contains(files, f => f.Path == "EdgeSentry/Rules/RuleSet.cs");
        Assert.Contains(files, f => f.Path.StartsWith("EdgeSentry/Pipeline/", StringComparison.Ordinal));
        var branches = files.SelectMany(f => SourceScan.KindBranches(f.Text).Select(b => $"{f.Path}: {b}")).ToList();
        Assert.True(branches.Count == 0, "one evaluator per kind (RuleEvaluators is the only table); these branch on the kind:\n" + string.Join('\n', branches));
    }

    [Fact]
    public void Pipeline_NoFile_DependsOnTheCommandLineOrTheDemo()
    {
        // The pipeline is composed by the host (Http/EdgeApplication) and by tests; the CLI and the demo's peers sit above it.
        var files = SourceScan.Files("EdgeSentry/Pipeline").ToList();
        Assert.Contains(files, f => f.Path == "EdgeSentry/Pipeline/EdgeNode.cs");
        var reaching = files
            .Where(f => f.Text.Contains("EdgeSentry.Cli", StringComparison.Ordinal) || f.Text.Contains("EdgeSentry.Demo", StringComparison.Ordinal)
                || f.Text.Contains("Cli.", StringComparison.Ordinal) || f.Text.Contains("DemoPeers.", StringComparison.Ordinal) || f.Text.Contains("LocalPeer", StringComparison.Ordinal))
            .Select(f => f.Path).ToList();
        Assert.True(reaching.Count == 0, "Pipeline reaches into Cli/ or Demo/: " + string.Join(", ", reaching));
    }

    [Theory]
    [InlineData("        switch (rule.Kind)")]
    [InlineData("        return kind switch")]
    [InlineData("        var x = (rule.Kind) switch { _ => 0 };")]
    [InlineData("        if (rule.Kind == RuleKind.Crowd)")]
    [InlineData("        if (definition.Kind == \"crowd\")")]
    [InlineData("        if (Kind is RuleKinds.Parking)")]
    [InlineData("            RuleKind.LineCrossing => 1,")]
    [InlineData("        bool counts = name == RuleKinds.Crowd;")]
    public void KindBranches_BranchOnKind_IsFound(string line) =>
        Assert.NotEmpty(SourceScan.KindBranches(line));

    [Theory]
    [InlineData("        // switch (rule.Kind) would be the smell")]
    [InlineData("        KindName = RuleKinds.Name(kind);")]
    [InlineData("        if (!RuleKinds.TryParse(r.Kind, out var kind))")]
    [InlineData("        bool detect = _policy switch")]
    public void KindBranches_OrdinaryCode_FindsNothing(string line) =>
        Assert.Empty(SourceScan.KindBranches(line));
}

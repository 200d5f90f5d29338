using System.Text.RegularExpressions;

namespace EdgeSentry.Tests.Architecture;

/// <summary>
/// Reads the service's source as text for the house rules the compiler does not check. The code uses file-scoped
/// namespaces and four-space indentation, so a top-level type is a declaration that starts in column 0; nested
/// types are indented (<see cref="SourceLayoutTests"/> checks the namespace form that makes this hold).
/// </summary>
internal static partial class SourceScan
{
    public static string SourceRoot => Path.Combine(Peers.SharedPaths.RepoRoot, "src");

    public static string RepoRoot => Peers.SharedPaths.RepoRoot;

    /// <summary>Every C# file under the repository's src/, tests/ and benchmarks/, as paths relative to the repository.</summary>
    public static IEnumerable<(string Path, string Text)> AllCode() =>
        new[] { "src", "tests", "benchmarks" }
            .SelectMany(top => Directory.EnumerateFiles(Path.Combine(RepoRoot, top), "*.cs", SearchOption.AllDirectories))
            .Select(file => Path.GetRelativePath(RepoRoot, file).Replace('\\', '/'))
            .Where(relative => !relative.Split('/').Any(part => part is "obj" or "bin"))
            .Order(StringComparer.Ordinal)
            .Select(relative => (relative, File.ReadAllText(Path.Combine(RepoRoot, relative))));

    /// <summary>Member accesses qualified with <c>this.</c> (line comments ignored).</summary>
    public static IReadOnlyList<string> ThisQualifications(string source) =>
        [.. source.Split('\n').Select(line => LineComment().Replace(line, string.Empty)).Where(line => ThisQualified().IsMatch(line)).Select(line => line.Trim())];

    /// <summary>
    /// Every C# file under src/ (or under the given folders of src/), build output left out, as paths relative to src/
    /// with '/' separators.
    /// </summary>
    public static IEnumerable<(string Path, string Text)> Files(params string[] folders)
    {
        var roots = folders.Length == 0 ? [SourceRoot] : folders.Select(f => Path.Combine(SourceRoot, f));
        foreach (var root in roots)
        {
            foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                string relative = Path.GetRelativePath(SourceRoot, file).Replace('\\', '/');
                if (relative.Split('/').Any(part => part is "obj" or "bin"))
                {
                    continue;
                }

                yield return (relative, File.ReadAllText(file));
            }
        }
    }

    /// <summary>The names of the public types declared at the top level of <paramref name="source"/>, in order.</summary>
    public static IReadOnlyList<string> TopLevelPublicTypes(string source) =>
        [.. source.Split('\n').Select(line => TopLevelPublicDeclaration().Match(line)).Where(m => m.Success).Select(m => m.Groups["name"].Value)];

    public static bool HasFileScopedNamespace(string source) => FileScopedNamespace().IsMatch(source);

    /// <summary>
    /// Places where <paramref name="source"/> branches on a rule kind: a switch over a *kind* value, a comparison of
    /// one with a kind, or a <c>RuleKind</c> member / kind name named outside the one table that maps kinds to
    /// evaluators. Line comments are ignored.
    /// </summary>
    public static IReadOnlyList<string> KindBranches(string source)
    {
        var found = new List<string>();
        foreach (var raw in source.Split('\n'))
        {
            string line = LineComment().Replace(raw, string.Empty);
            foreach (var pattern in KindPatterns)
            {
                var m = pattern.Match(line);
                if (m.Success)
                {
                    found.Add(m.Value.Trim());
                }
            }
        }

        return found;
    }

    private static readonly Regex[] KindPatterns =
    [
        SwitchStatementOnKind(),
        SwitchExpressionOnKind(),
        KindComparison(),
        RuleKindMember(),
        KindNameConstant(),
    ];

    [GeneratedRegex(@"^public\s+(?:(?:sealed|static|abstract|partial|readonly|unsafe|ref|new)\s+)*(?:record\s+(?:(?:class|struct)\s+)?|(?:class|struct|interface|enum)\s+|delegate\s+.+?\s+)(?<name>\w+)")]
    private static partial Regex TopLevelPublicDeclaration();

    [GeneratedRegex(@"^namespace\s+[\w.]+\s*;", RegexOptions.Multiline)]
    private static partial Regex FileScopedNamespace();

    [GeneratedRegex(@"(?<![\w.])this\.\w")]
    private static partial Regex ThisQualified();

    [GeneratedRegex(@"//.*$")]
    private static partial Regex LineComment();

    [GeneratedRegex(@"\bswitch\s*\([^)]*\b\w*[Kk]ind\w*\b[^)]*\)")]
    private static partial Regex SwitchStatementOnKind();

    [GeneratedRegex(@"[\w.?!]*[Kk]ind\w*\)?\s+switch\b")]
    private static partial Regex SwitchExpressionOnKind();

    [GeneratedRegex(@"\b\w*[Kk]ind\w*\s*(?:==|!=|\bis\b(?:\s+not)?)\s*(?:""|RuleKind\b|RuleKinds\.)")]
    private static partial Regex KindComparison();

    [GeneratedRegex(@"\bRuleKind\.\w+")]
    private static partial Regex RuleKindMember();

    [GeneratedRegex(@"\bRuleKinds\.(?:Intrusion|Loitering|Crowd|Parking|WrongWay|LineCrossing)\b")]
    private static partial Regex KindNameConstant();
}

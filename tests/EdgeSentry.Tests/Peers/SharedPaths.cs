namespace EdgeSentry.Tests.Peers;

/// <summary>Locates the repository and the ../shared folder beside it (models, footage, tools).</summary>
public static class SharedPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Shared { get; } = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    public static string Models => Path.Combine(Shared, "models");
    public static string TestData => Path.Combine(Shared, "models", "testdata");
    public static string Footage => Path.Combine(Shared, "footage");
    public static string Tools => Path.Combine(Shared, "tools");

    public static string Model(string file) => Existing(Path.Combine(Models, file));
    public static string TestFrame(string file) => Existing(Path.Combine(TestData, file));
    public static string Clip(string file) => Existing(Path.Combine(Footage, file));

    private static string Existing(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException(
            $"{path} is missing: the tests use the models and footage from the shared/ folder beside the repository.", path);

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EdgeSentry.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("EdgeSentry.sln not found above " + AppContext.BaseDirectory);
    }
}

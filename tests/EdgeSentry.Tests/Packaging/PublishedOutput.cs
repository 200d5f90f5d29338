using EdgeSentry.Tests.Peers;

namespace EdgeSentry.Tests.Packaging;

/// <summary>
/// <c>dotnet publish</c> of the service once per test class, into a directory any user can read (the
/// non-root test runs the output as <c>nobody</c>). What the image copies to /app is exactly this output.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PublishedOutput : IAsyncLifetime
{
    private readonly DirectoryInfo _root = System.IO.Directory.CreateTempSubdirectory("edgesentry-publish-");

    public string Directory => Path.Combine(_root.FullName, "app");

    public string Dll => Path.Combine(Directory, "edgesentry.dll");

    /// <summary>A directory that user nobody may read and write (config, outbox).</summary>
    public string Scratch(string name)
    {
        string path = Path.Combine(_root.FullName, name);
        System.IO.Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, (UnixFileMode)0x1FF);
        return path;
    }

    public async Task InitializeAsync()
    {
        // Temp directories are 0700: open the way down for the non-root run.
        File.SetUnixFileMode(_root.FullName, (UnixFileMode)0x1ED);
        var result = await CliProcess.RunAsync("dotnet", ["publish", Path.Combine(SharedPaths.RepoRoot, "src", "EdgeSentry", "EdgeSentry.csproj"), "-c", "Release", "-o", Directory, "-v", "q", "-nologo"], capSeconds: 900);
        Assert.True(result.ExitCode == 0, $"dotnet publish failed: {result.Stdout}{result.Stderr}");
    }

    public Task DisposeAsync()
    {
        _root.Delete(recursive: true);
        return Task.CompletedTask;
    }
}

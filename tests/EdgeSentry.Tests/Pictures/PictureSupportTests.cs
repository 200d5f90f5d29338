using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeSentry.Pictures;
using EdgeSentry.Tests.Peers;
using Xunit.Abstractions;

namespace EdgeSentry.Tests.Pictures;

/// <summary>
/// Pictures are optional: on a box without OpenCvSharpExtern (anything but linux-x64 without a hand-built one)
/// the service still starts and alerts. Proven with the real executable run from a copy of the build output
/// that lacks libOpenCvSharpExtern.so, so the loader really fails.
/// </summary>
public sealed class PictureSupportTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Extern = "libOpenCvSharpExtern.so";
    private readonly string _directory = Directory.CreateTempSubdirectory("edgesentry-nocv-").FullName;
    private MosquittoBroker? _broker;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void IsAvailable_LinuxX64WithRuntimePackage_LoadsOpenCv413()
    {
        Assert.True(PictureSupport.IsAvailable, PictureSupport.UnavailableReason);
        Assert.StartsWith("4.13", PictureSupport.OpenCvVersion, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Detect_WithoutOpenCvSharpExtern_JsonWorksAndOutFailsNamingTheLibrary()
    {
        string app = CopyWithoutOpenCv();
        string frame = SharedPaths.TestFrame("vtest_f0200.png");

        var json = await RunAsync(app, "detect", "--model", SharedPaths.Model("yolox_nano.onnx"), "--input", frame, "--json");
        var picture = await RunAsync(app, "detect", "--model", SharedPaths.Model("yolox_nano.onnx"), "--input", frame, "--out", Path.Combine(_directory, "x.jpg"));

        Assert.True(json.ExitCode == 0, json.Stderr);
        Assert.Contains("\"person\"", json.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, picture.ExitCode);
        Assert.Contains("OpenCvSharpExtern", picture.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_directory, "x.jpg")));
    }

    [Fact]
    public async Task Run_WithoutOpenCvSharpExtern_WarnsOnceAndPublishesAlertWithoutSnapshot()
    {
        string app = CopyWithoutOpenCv();
        _broker = await MosquittoBroker.StartAsync();
        await using var subscriber = await MqttTestSubscriber.StartAsync(_broker, "edgesentry/v1/alerts/#");
        JsonObject config = EdgeConfig.Base(_broker, "edge-nocv", Path.Combine(_directory, "outbox.db"));
        config["cameras"] = new JsonArray(EdgeConfig.WorkerZoneCamera("yard-1", null, ("no-entry", 2)));
        await using EdgeProcess service = EdgeProcess.Start(EdgeConfig.Write(_directory, config), application: app);
        CancellationToken cap = MqttTestSubscriber.Cap(180);
        JsonElement started = default;
        try
        {
            while (true)
            {
                var m = await subscriber.NextAsync(cap);
                using var doc = JsonDocument.Parse(m.Payload);
                if (doc.RootElement.GetProperty("transition").GetString() == "started")
                {
                    started = doc.RootElement.Clone();
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail("no started alert arrived; service log:\n" + service.Output);
        }

        Assert.False(started.TryGetProperty("snapshot", out _), "an alert carried a snapshot although OpenCV cannot load");
        string text = service.Output;
        output.WriteLine(text);
        Assert.Equal(1, Occurrences(text, "Pictures are off"));
        Assert.Contains("OpenCvSharpExtern", text, StringComparison.Ordinal);
        Assert.False(service.HasExited, "the service stopped:\n" + text);
    }

    /// <summary>The build output beside the tests, minus OpenCV's native library (large files are linked, not copied).</summary>
    private string CopyWithoutOpenCv()
    {
        string source = AppContext.BaseDirectory;
        string target = Path.Combine(_directory, "app");
        int removed = 0;
        foreach (string file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(source, file);
            if (Path.GetFileName(file) == Extern)
            {
                removed++;
                continue;
            }

            string destination = Path.Combine(target, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            // Native libraries are loaded by path, so a link is as good as a copy; managed assemblies are copied
            // because the host resolves the application's own directory.
            if (file.EndsWith(".so", StringComparison.Ordinal) || file.Contains(".so.", StringComparison.Ordinal))
            {
                File.CreateSymbolicLink(destination, file);
            }
            else
            {
                File.Copy(file, destination);
            }
        }

        Assert.True(removed > 0, $"{Extern} is not in {source}: the fault this test injects would not happen");
        return target;
    }

    private static Task<CliProcess.Result> RunAsync(string app, params string[] args) =>
        CliProcess.RunAsync("dotnet", [Path.Combine(app, "edgesentry.dll"), .. args]);

    private static int Occurrences(string text, string what)
    {
        int n = 0;
        for (int i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal))
        {
            n++;
        }

        return n;
    }
}

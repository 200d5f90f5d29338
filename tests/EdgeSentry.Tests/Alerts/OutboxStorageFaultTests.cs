using System.Diagnostics;
using System.Text;
using EdgeSentry.Alerts;
using EdgeSentry.Tests.Peers;

namespace EdgeSentry.Tests.Alerts;

/// <summary>
/// Issue 10, item 2 and acceptance 2: storage faults lose nothing. A real SQLite outbox on a real, small tmpfs
/// that fills up (SQLITE_FULL), a real mosquitto and the real sender; a corrupt file is moved aside.
/// </summary>
public sealed class OutboxStorageFaultTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("edgesentry-storage-").FullName;
    private MosquittoBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await MosquittoBroker.StartAsync();

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Open_GarbageInTheDatabaseFile_MovedAsideAndStartsOnANewOutbox()
    {
        string path = Path.Combine(_directory, "outbox.db");
        byte[] garbage = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("this is not an sqlite database ", 400)));
        await File.WriteAllBytesAsync(path, garbage);

        await using var outbox = AlertOutbox.Open(new OutboxOptions { DatabasePath = path });
        await outbox.EnqueueAsync(Message("cam-1", 0));

        string aside = Assert.Single(Directory.GetFiles(_directory, "outbox.db.corrupt-*"));
        Assert.Equal(garbage, await File.ReadAllBytesAsync(aside));
        Assert.Equal(1, outbox.Depth);
    }

    [Fact]
    public async Task EnqueueAsync_TmpfsFillsUpThenSpaceReturns_DegradedMeanwhileThenEveryTransitionOnceInOrderPerCamera()
    {
        string mount = Path.Combine(_directory, "tmpfs");
        Directory.CreateDirectory(mount);
        await RunAsync("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mount);
        try
        {
            await using var subscriber = await MqttTestSubscriber.StartAsync(_broker, "outbox-test/#");
            await using var outbox = AlertOutbox.Open(new OutboxOptions { DatabasePath = Path.Combine(mount, "outbox.db") });
            using var metrics = new OutboxMetrics(outbox);
            await using var connection = new MqttConnection(new MqttConnectionOptions { Host = _broker.Host, Port = _broker.Port, ClientId = "storage", ReconnectDelayMax = TimeSpan.FromSeconds(1) });
            await connection.ConnectAsync(MqttTestSubscriber.Cap());
            using var run = new CancellationTokenSource();
            Task sending = new OutboxSender(outbox, connection).RunAsync(run.Token);
            await outbox.EnqueueAsync(Message("cam-0", -1));
            await outbox.WaitUntilEmptyAsync(MqttTestSubscriber.Cap());

            // Fill the file system so that the next commit fails with SQLITE_FULL.
            string filler = Path.Combine(mount, "filler");
            Fill(filler);

            const int Cameras = 3;
            const int PerCamera = 20;
            var writers = Enumerable.Range(0, Cameras).Select(c => Task.Run(async () =>
            {
                // Like a camera's analyzer: one transition at a time, each waiting for the outbox.
                for (int n = 0; n < PerCamera; n++)
                {
                    await outbox.EnqueueAsync(Message($"cam-{c}", n));
                }
            })).ToList();

            var guard = Stopwatch.StartNew();
            while (outbox.StorageFault is null)
            {
                Assert.True(guard.Elapsed < TimeSpan.FromSeconds(60), "the outbox never reported a storage fault");
                await Task.Delay(50);
            }

            Assert.Contains("disk-full", outbox.StorageFault, StringComparison.Ordinal);
            Assert.All(writers, w => Assert.False(w.IsCompleted));
            Assert.False(sending.IsCompleted);

            File.Delete(filler);
            await Task.WhenAll(writers).WaitAsync(MqttTestSubscriber.Cap());
            Assert.Null(outbox.StorageFault);
            Assert.True(outbox.WriteFailures > 0);
            Assert.Equal(outbox.WriteFailures, metrics.Sum("edgesentry.outbox.write_failures", "reason", "disk-full"));
            await outbox.WaitUntilEmptyAsync(MqttTestSubscriber.Cap());
            var received = await subscriber.CollectAsync(1 + (Cameras * PerCamera), _ => true, MqttTestSubscriber.Cap());
            Assert.False(sending.IsCompleted);

            // Exactly once after dedupe by message id, in order per camera.
            var firsts = received.Select(Parse).DistinctBy(m => m.Id).Where(m => m.N >= 0).ToList();
            for (int c = 0; c < Cameras; c++)
            {
                Assert.Equal(Enumerable.Range(0, PerCamera), firsts.Where(m => m.Camera == $"cam-{c}").Select(m => m.N));
            }

            await run.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);
        }
        finally
        {
            await RunAsync("umount", "-l", mount);
        }
    }

    private static void Fill(string path)
    {
        var chunk = new byte[64 * 1024];
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough);
        try
        {
            while (true)
            {
                stream.Write(chunk);
            }
        }
        catch (IOException)
        {
            // ENOSPC: the file system is full.
        }

        // What fits below a 64 KiB chunk too.
        try
        {
            while (true)
            {
                stream.Write(chunk.AsSpan(0, 512));
            }
        }
        catch (IOException)
        {
            // Full to the last block.
        }
    }

    private static async Task RunAsync(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(tool, args) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"{tool} did not start");
        string err = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, $"{tool} {string.Join(' ', args)}: exit {p.ExitCode}: {err} (this test mounts a tmpfs: run it as root, or with CAP_SYS_ADMIN)");
    }

    private static OutgoingMessage Message(string camera, int n)
    {
        string id = Guid.CreateVersion7().ToString("D");
        return new OutgoingMessage(id, $"outbox-test/alerts/grid-1/{camera}", Encoding.UTF8.GetBytes($"{id}|{camera}|{n}|".PadRight(600, '.')), camera, 1, false);
    }

    private static (string Id, string Camera, int N) Parse(MqttMessage message)
    {
        string[] parts = Encoding.UTF8.GetString(message.Payload.Span).Split('|');
        return (parts[0], parts[1], int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture));
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace EdgeSentry.Tests.Peers;

/// <summary>
/// A real headless Chromium (Debian's <c>chromium</c>), driven over the DevTools protocol on a WebSocket: navigate,
/// evaluate in the page, press the mouse, capture the screen. JavaScript dialogs (alert) are recorded and dismissed.
/// </summary>
public sealed partial class HeadlessChromium : IAsyncDisposable
{
    public const string Executable = "/usr/bin/chromium";

    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket;
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receiving;
    private readonly StringBuilder _stderr;
    private int _nextId;

    private HeadlessChromium(Process process, string profile, ClientWebSocket socket, StringBuilder stderr)
    {
        _process = process;
        _profile = profile;
        _socket = socket;
        _stderr = stderr;
        _receiving = ReceiveAsync();
    }

    /// <summary>Messages of every alert/confirm/prompt the page opened.</summary>
    public ConcurrentQueue<string> Dialogs { get; } = new();

    public static async Task<HeadlessChromium> StartAsync(int width = 1400, int height = 900, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"{Executable} not found: install the Debian package 'chromium' (scripts/install-prereqs.sh)");
        }

        string profile = Directory.CreateTempSubdirectory("es-chromium-").FullName;
        var psi = new ProcessStartInfo(Executable)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var a in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run", "--no-default-browser-check",
            "--disable-background-timer-throttling", "--disable-renderer-backgrounding", "--remote-debugging-port=0",
            $"--user-data-dir={profile}", $"--window-size={width},{height}", "about:blank",
        })
        {
            psi.ArgumentList.Add(a);
        }

        var process = Process.Start(psi)!;
        var stderr = new StringBuilder();
        var endpoint = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                endpoint.TrySetException(new InvalidOperationException("chromium exited before DevTools listened:\n" + stderr));
                return;
            }

            lock (stderr)
            {
                stderr.AppendLine(e.Data);
            }

            if (DevToolsLine().Match(e.Data) is { Success: true } m)
            {
                endpoint.TrySetResult(m.Groups[1].Value);
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            using var cap = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cap.CancelAfter(TimeSpan.FromSeconds(60));
            string browserUrl = await endpoint.Task.WaitAsync(cap.Token);
            var port = new Uri(browserUrl).Port;
            using var http = new HttpClient();
            string? pageUrl = null;
            while (pageUrl is null)
            {
                using var targets = JsonDocument.Parse(await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/json/list"), cap.Token));
                pageUrl = targets.RootElement.EnumerateArray().Where(t => t.GetProperty("type").GetString() == "page")
                    .Select(t => t.GetProperty("webSocketDebuggerUrl").GetString()).FirstOrDefault();
                if (pageUrl is null)
                {
                    await Task.Delay(100, cap.Token);
                }
            }

            var socket = new ClientWebSocket();
            await socket.ConnectAsync(new Uri(pageUrl), cap.Token);
            var browser = new HeadlessChromium(process, profile, socket, stderr);
            await browser.SendAsync("Page.enable", null, cap.Token);
            await browser.SendAsync("Runtime.enable", null, cap.Token);
            // Screenshot pixels = CSS pixels, whatever the host's display says.
            await browser.SendAsync("Emulation.setDeviceMetricsOverride", new { width, height, deviceScaleFactor = 1, mobile = false }, cap.Token);
            return browser;
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    public async Task<JsonElement> SendAsync(string method, object? parameters = null, CancellationToken cancellationToken = default)
    {
        int id = Interlocked.Increment(ref _nextId);
        var tcs = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = tcs;
        byte[] message = JsonSerializer.SerializeToUtf8Bytes(new { id, method, @params = parameters ?? new { } });
        await _socket.SendAsync(message, WebSocketMessageType.Text, true, cancellationToken);
        using var cap = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cap.CancelAfter(TimeSpan.FromSeconds(60));
        return await tcs.Task.WaitAsync(cap.Token);
    }

    /// <summary>Navigates and waits until the new document has loaded (Page.navigate returns before that).</summary>
    public async Task NavigateAsync(string url, CancellationToken cancellationToken = default)
    {
        await SendAsync("Page.navigate", new { url }, cancellationToken);
        await WaitForAsync("location.href !== 'about:blank' && document.readyState === 'complete'", TimeSpan.FromSeconds(60), "the loaded page " + url);
    }

    /// <summary>Evaluates in the page (promises awaited) and returns the value; a thrown error fails the call.</summary>
    public async Task<JsonElement> EvaluateAsync(string expression, CancellationToken cancellationToken = default)
    {
        var r = await SendAsync("Runtime.evaluate", new { expression, returnByValue = true, awaitPromise = true }, cancellationToken);
        if (r.TryGetProperty("exceptionDetails", out var ex))
        {
            throw new InvalidOperationException($"page threw on '{expression}': {ex}");
        }

        return r.GetProperty("result").TryGetProperty("value", out var v) ? v.Clone() : default;
    }

    /// <summary>Polls <paramref name="expression"/> until it yields something other than null/false/undefined; the cap is a hang guard.</summary>
    public async Task<JsonElement> WaitForAsync(string expression, TimeSpan cap, string what)
    {
        using var guard = new CancellationTokenSource(cap);
        while (true)
        {
            var v = await EvaluateAsync(expression, guard.Token);
            if (v.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null or JsonValueKind.False))
            {
                return v;
            }

            try
            {
                await Task.Delay(50, guard.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"page never showed {what} within {cap.TotalSeconds} s (hang guard)");
            }
        }
    }

    /// <summary>A real left click (pressed, released) at viewport coordinates.</summary>
    public async Task ClickAsync(double x, double y, CancellationToken cancellationToken = default)
    {
        await SendAsync("Input.dispatchMouseEvent", new { type = "mouseMoved", x, y }, cancellationToken);
        await SendAsync("Input.dispatchMouseEvent", new { type = "mousePressed", x, y, button = "left", clickCount = 1 }, cancellationToken);
        await SendAsync("Input.dispatchMouseEvent", new { type = "mouseReleased", x, y, button = "left", clickCount = 1 }, cancellationToken);
    }

    public async Task<byte[]> ScreenshotAsync(CancellationToken cancellationToken = default)
    {
        var r = await SendAsync("Page.captureScreenshot", new { format = "png" }, cancellationToken);
        return Convert.FromBase64String(r.GetProperty("data").GetString()!);
    }

    public string Log
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[1 << 16];
        using var message = new MemoryStream();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var r = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (r.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                message.Write(buffer, 0, r.Count);
                if (!r.EndOfMessage)
                {
                    continue;
                }

                using var doc = JsonDocument.Parse(message.ToArray());
                message.SetLength(0);
                var root = doc.RootElement;
                if (root.TryGetProperty("id", out var idElement) && _pending.TryRemove(idElement.GetInt32(), out var tcs))
                {
                    if (root.TryGetProperty("error", out var error))
                    {
                        tcs.TrySetException(new InvalidOperationException("DevTools: " + error));
                    }
                    else
                    {
                        tcs.TrySetResult(root.GetProperty("result").Clone());
                    }
                }
                else if (root.TryGetProperty("method", out var method) && method.GetString() == "Page.javascriptDialogOpening")
                {
                    Dialogs.Enqueue(root.GetProperty("params").GetProperty("message").GetString() ?? string.Empty);
                    _ = SendAsync("Page.handleJavaScriptDialog", new { accept = true });
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // Closing.
        }

        foreach (var p in _pending.Values)
        {
            p.TrySetException(new InvalidOperationException("chromium's DevTools connection closed"));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _receiving;
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // Already closing.
        }

        _socket.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
        _stop.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // A late writer in the profile: the temp directory is left behind.
        }
    }

    [GeneratedRegex(@"DevTools listening on (ws://\S+)")]
    private static partial Regex DevToolsLine();
}

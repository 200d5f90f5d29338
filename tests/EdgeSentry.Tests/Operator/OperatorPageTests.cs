using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeSentry.Tests.Peers;
using OpenCvSharp;
using Xunit.Abstractions;

namespace EdgeSentry.Tests.Operator;

/// <summary>
/// Acceptance of the operator's page: a real edge (the CLI, a looping clip from the shared footage as its camera,
/// real mosquitto, the real model) and a real headless Chromium driven over the DevTools protocol.
/// </summary>
[Collection(ExclusiveCollection.Name)]
public sealed class OperatorPageTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Clip = "intel_indoor_people_one_by_one_h264.mp4";
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(120);

    private readonly string _dir = Directory.CreateTempSubdirectory("es-operator-").FullName;
    private MosquittoBroker? _broker;

    public async Task InitializeAsync() => _broker = await MosquittoBroker.StartAsync();

    public async Task DisposeAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }

        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task LiveView_Screenshot_ShowsBoxColourInsideDetectedBoxAndZoneOutline()
    {
        string config = WriteConfig("127.0.0.1:0", "Gym door", FloorZoneAnalytics());
        await using var edge = await StartEdgeAsync(config);
        await using var browser = await HeadlessChromium.StartAsync();
        await browser.NavigateAsync(edge.BaseAddress!.ToString());

        // A frame whose boxes include a tracked person, fully decoded in the <img>.
        await browser.WaitForAsync(
            "(() => { const i = document.getElementById('live-frame'); if (!i.complete || !i.naturalWidth || !i.dataset.boxes) return null;"
            + " return JSON.parse(i.dataset.boxes).some(b => b.label === 'person' && b.trackId && (b.x2 - b.x1) > 40); })()",
            Guard, "a live frame with a tracked person");
        await browser.EvaluateAsync("document.getElementById('live-pause').click()");
        var shown = await browser.WaitForAsync(
            "(() => { const i = document.getElementById('live-frame'); if (!i.complete || !i.naturalWidth) return null; const r = i.getBoundingClientRect();"
            + " return JSON.stringify({ left: r.left, top: r.top, width: r.width, height: r.height, w: +i.dataset.width, h: +i.dataset.height, boxes: JSON.parse(i.dataset.boxes) }); })()",
            Guard, "the paused frame");
        byte[] png = await browser.ScreenshotAsync();
        File.WriteAllBytes(Path.Combine(Path.GetTempPath(), "edgesentry-operator-live.png"), png);
        using var shot = Cv2.ImDecode(png, ImreadModes.Color);

        using var view = JsonDocument.Parse(shown.GetString()!);
        var v = view.RootElement;
        double left = v.GetProperty("left").GetDouble(), top = v.GetProperty("top").GetDouble();
        double scale = v.GetProperty("width").GetDouble() / v.GetProperty("w").GetInt32();
        var person = v.GetProperty("boxes").EnumerateArray().Where(b => b.GetProperty("label").GetString() == "person")
            .OrderByDescending(b => (b.GetProperty("x2").GetDouble() - b.GetProperty("x1").GetDouble()) * (b.GetProperty("y2").GetDouble() - b.GetProperty("y1").GetDouble())).First();
        string colour = person.GetProperty("color").GetString()!;
        int r = Convert.ToInt32(colour[1..3], 16), g = Convert.ToInt32(colour[3..5], 16), b = Convert.ToInt32(colour[5..7], 16);
        double x1 = left + (person.GetProperty("x1").GetDouble() * scale), x2 = left + (person.GetProperty("x2").GetDouble() * scale);
        double y1 = top + (person.GetProperty("y1").GetDouble() * scale), y2 = top + (person.GetProperty("y2").GetDouble() * scale);

        // The box's left edge, inside the box (the label tag sits at the top: rows from 30 % down are used).
        double edgeRows = FractionOfRows(shot, (int)Math.Round(x1) - 1, (int)Math.Round(x1) + 4, (int)(y1 + (0.3 * (y2 - y1))), (int)(y1 + (0.9 * (y2 - y1))), p => Near(p, r, g, b));
        output.WriteLine($"person box colour {colour}: {edgeRows:P0} of rows along its left edge carry it");
        Assert.True(edgeRows >= 0.6, $"only {edgeRows:P0} of the rows along the person box's left edge have its colour {colour}");

        // The zone's top edge (y = 0.5 of the frame) is drawn yellow; a row at y = 0.35 (no zone there) is the control.
        int zoneY = (int)Math.Round(top + (0.5 * v.GetProperty("height").GetDouble()));
        int controlY = (int)Math.Round(top + (0.35 * v.GetProperty("height").GetDouble()));
        int from = (int)(left + (0.15 * v.GetProperty("width").GetDouble())), to = (int)(left + (0.85 * v.GetProperty("width").GetDouble()));
        double zoneColumns = FractionOfColumns(shot, from, to, zoneY - 3, zoneY + 3, Yellow);
        double controlColumns = FractionOfColumns(shot, from, to, controlY - 3, controlY + 3, Yellow);
        output.WriteLine($"zone outline: {zoneColumns:P0} of columns yellow at the zone edge, {controlColumns:P0} at the control row");
        Assert.True(zoneColumns >= 0.6, $"zone outline: only {zoneColumns:P0} of columns are yellow along y = 0.5");
        Assert.True(controlColumns < 0.2, $"control row: {controlColumns:P0} of columns are yellow where no zone is drawn");
    }

    [Fact]
    public async Task Editor_DrawnZoneSaved_ConfigCheckAcceptsAndEdgeRaisesIntrusionInIt()
    {
        string config = WriteConfig("127.0.0.1:0", "Gym door", new JsonObject());
        await using var edge = await StartEdgeAsync(config);
        await using var alerts = await MqttTestSubscriber.StartAsync(_broker!, "edgesentry/v1/alerts/#");
        await using var browser = await HeadlessChromium.StartAsync();
        await browser.NavigateAsync(edge.BaseAddress!.ToString());
        await browser.WaitForAsync("document.body.dataset.ready === 'true'", Guard, "the camera list");
        await browser.EvaluateAsync("document.querySelector('nav button[data-view=editor]').click()");
        var stage = await browser.WaitForAsync(
            "(() => { const c = document.getElementById('editor-canvas'); const i = document.getElementById('editor-frame');"
            + " if (!i.complete || !i.naturalWidth || c.width !== i.clientWidth || c.height !== i.clientHeight || c.height < 100) return null; const r = c.getBoundingClientRect(); return JSON.stringify({ left: r.left, top: r.top, width: r.width, height: r.height }); })()",
            Guard, "the editor on a live frame");
        using var rect = JsonDocument.Parse(stage.GetString()!);
        double left = rect.RootElement.GetProperty("left").GetDouble(), top = rect.RootElement.GetProperty("top").GetDouble();
        double width = rect.RootElement.GetProperty("width").GetDouble(), height = rect.RootElement.GetProperty("height").GetDouble();

        // A rule naming a zone that does not exist: rejected, the error shown by the rules, the file untouched.
        string before = File.ReadAllText(config);
        await browser.EvaluateAsync("document.getElementById('rules-json').value = JSON.stringify([{ id: 'drawn', kind: 'intrusion', zone: 'nowhere', classes: ['person'] }]); document.getElementById('editor-save').click()");
        var shownError = await browser.WaitForAsync("document.querySelector('#rules-errors li')?.textContent", Guard, "the rule's validation error");
        output.WriteLine("validation error on the page: " + shownError.GetString());
        Assert.Contains("$.cameras[0].analytics.rules[0].zone", shownError.GetString(), StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(config));
        Assert.False(File.Exists(config + ".bak"));

        // Draw the zone with real mouse clicks over the lower part of the frame, where the people walk.
        await browser.EvaluateAsync("document.getElementById('tool-zone').click()");
        double[][] corners = [[0.02, 0.3], [0.98, 0.3], [0.98, 0.98], [0.02, 0.98]];
        foreach (var c in corners)
        {
            await browser.ClickAsync(left + (c[0] * width), top + (c[1] * height));
        }

        await browser.EvaluateAsync("document.getElementById('tool-finish').click()");
        await browser.WaitForAsync("document.querySelector('#shape-list input.shape-id')?.value === 'zone-1'", Guard, "the drawn zone in the list");
        await browser.EvaluateAsync("document.getElementById('rules-json').value = JSON.stringify([{ id: 'drawn', kind: 'intrusion', zone: 'zone-1', classes: ['person'], minScore: 0.4, holdSeconds: 0.5 }]); document.getElementById('editor-save').click()");
        await browser.WaitForAsync("document.body.dataset.saved", Guard, "the save confirmation");

        var check = await CliProcess.RunEdgeSentryAsync("config", "check", config);
        Assert.True(check.ExitCode == 0, check.Stdout + check.Stderr);
        Assert.True(File.Exists(config + ".bak"));
        Assert.Equal(before, File.ReadAllText(config + ".bak"));
        var saved = JsonNode.Parse(File.ReadAllText(config))!["cameras"]![0]!["analytics"]!;
        var polygon = saved["zones"]![0]!["polygon"]!.AsArray();
        Assert.Equal(4, polygon.Count);
        for (int i = 0; i < 4; i++)
        {
            Assert.InRange(polygon[i]![0]!.GetValue<double>(), corners[i][0] - 0.01, corners[i][0] + 0.01);
            Assert.InRange(polygon[i]![1]!.GetValue<double>(), corners[i][1] - 0.01, corners[i][1] + 0.01);
        }

        // The running edge reloads the file and raises an intrusion in the drawn zone.
        await edge.WaitForOutputAsync("changed [gym]", Guard);
        using var cap = new CancellationTokenSource(Guard);
        var alert = await alerts.WaitForAsync(m => Json(m)?["zoneId"]?.GetValue<string>() == "zone-1" && Json(m)?["kind"]?.GetValue<string>() == "intrusion", cap.Token);
        output.WriteLine("intrusion after the edit: " + System.Text.Encoding.UTF8.GetString(alert.Payload.Span)[..200]);
    }

    [Fact]
    public async Task Page_CameraNamedWithMarkup_ShownAsTextAndCredentialsNeverReachThePage()
    {
        const string name = "<img src=x onerror=alert(1)>";
        int closed = EdgeSentry.Demo.LocalPeer.FreePort();
        string config = WriteConfig("127.0.0.1:0", name, FloorZoneAnalytics(), extraCamera: new JsonObject
        {
            ["id"] = "gate",
            ["name"] = "Gate",
            ["url"] = $"rtsp://viewer:s3cr3t-Pa55@127.0.0.1:{closed}/gate",
        });
        await using var edge = await StartEdgeAsync(config);
        await using var browser = await HeadlessChromium.StartAsync();
        await browser.NavigateAsync(edge.BaseAddress!.ToString());
        await browser.WaitForAsync("document.getElementById('camera-name').textContent.length > 0", Guard, "the camera's name");

        Assert.Equal(name, (await browser.EvaluateAsync("document.getElementById('camera-name').textContent")).GetString());
        Assert.Equal(name, (await browser.EvaluateAsync("document.querySelector('#cameras td.camera-name').textContent")).GetString());
        Assert.Equal(name, (await browser.EvaluateAsync("document.querySelector('#camera option').textContent")).GetString());
        Assert.Equal(0, (await browser.EvaluateAsync("document.querySelectorAll('img[src=\"x\"], img[onerror]').length")).GetInt32());
        Assert.Empty(browser.Dialogs);
        string html = (await browser.EvaluateAsync("document.documentElement.outerHTML")).GetString()!;
        Assert.DoesNotContain("s3cr3t-Pa55", html, StringComparison.Ordinal);
        Assert.Contains("rtsp://viewer:***@", html, StringComparison.Ordinal);

        using var http = new HttpClient { BaseAddress = edge.BaseAddress };
        Assert.DoesNotContain("s3cr3t-Pa55", await http.GetStringAsync(new Uri("api/cameras", UriKind.Relative)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NonLoopbackAddress_RequestWithoutToken_Gets401AndPageWorksWithIt()
    {
        // Bound to the wildcard address the page is reachable from other machines, so a token is required; the test's
        // own requests still go over loopback (tests send traffic to loopback only).
        var address = IPAddress.Any;
        const string token = "operator-test-token-0123456789";

        // Without a token the configuration is refused by `config check`.
        string open = WriteConfig($"{address}:0", "Gym door", FloorZoneAnalytics(), file: "open.json");
        var refused = await CliProcess.RunEdgeSentryAsync("config", "check", open);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("$.http.token", refused.Stdout + refused.Stderr, StringComparison.Ordinal);

        string config = WriteConfig($"{address}:0", "Gym door", FloorZoneAnalytics(), tokenVariable: "ES_OPERATOR_TEST_TOKEN");
        await using var edge = await StartEdgeAsync(config, new Dictionary<string, string> { ["ES_OPERATOR_TEST_TOKEN"] = token });
        Assert.Contains("a token is required on every request", edge.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(token, edge.Output, StringComparison.Ordinal);
        Assert.Equal(address.ToString(), edge.BaseAddress!.Host);
        var viaLoopback = new UriBuilder(edge.BaseAddress) { Host = IPAddress.Loopback.ToString() }.Uri;

        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = viaLoopback };
        foreach (var path in new[] { "", "api/cameras", "metrics", "readyz", "operator/app.js", "api/incidents/stream" })
        {
            using var response = await http.GetAsync(new Uri(path, UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"/{path} without the token: {(int)response.StatusCode}");
        }

        using (var wrong = new HttpRequestMessage(HttpMethod.Get, new Uri("api/cameras", UriKind.Relative)))
        {
            wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token + "x");
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(wrong)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("healthz", UriKind.Relative))).StatusCode);
        using (var right = new HttpRequestMessage(HttpMethod.Get, new Uri("metrics", UriKind.Relative)))
        {
            right.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(right)).StatusCode);
        }

        // The browser logs in once with ?token=, gets the cookie, and the page (its API calls included) works.
        await using var browser = await HeadlessChromium.StartAsync();
        await browser.NavigateAsync(new Uri(viaLoopback, "?token=" + token).ToString());
        await browser.WaitForAsync("document.getElementById('camera-name').textContent === 'Gym door'", Guard, "the page with the token");
        await browser.WaitForAsync("(() => { const i = document.getElementById('live-frame'); return i.complete && i.naturalWidth > 0; })()", Guard, "a live frame with the token");
        Assert.DoesNotContain("token=", (await browser.EvaluateAsync("location.href")).GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task IncidentFeed_NewIncident_AppearsWithinTwoSecondsOfItsMqttPublication()
    {
        string config = WriteConfig("127.0.0.1:0", "Gym door", FloorZoneAnalytics());
        await using var edge = await StartEdgeAsync(config);
        await using var alerts = await MqttTestSubscriber.StartAsync(_broker!, "edgesentry/v1/alerts/#");
        await using var browser = await HeadlessChromium.StartAsync();
        await browser.NavigateAsync(edge.BaseAddress!.ToString());
        await browser.WaitForAsync("document.body.dataset.ready === 'true'", Guard, "the page");
        // The page records (wall clock, ms) when each incident's element first appears in the feed.
        await browser.EvaluateAsync(
            "window.__seen = {}; new MutationObserver(() => { for (const li of document.querySelectorAll('#incident-list li')) {"
            + " const id = li.dataset.incidentId; if (!(id in window.__seen)) window.__seen[id] = Date.now(); } })"
            + ".observe(document.getElementById('incident-list'), { childList: true, subtree: true }); true");
        var known = (await browser.EvaluateAsync("JSON.stringify([...document.querySelectorAll('#incident-list li')].map(l => l.dataset.incidentId))")).GetString()!;

        // The next incident that starts after the page is open.
        using var cap = new CancellationTokenSource(TimeSpan.FromSeconds(300));
        string incidentId;
        long receivedAtMs;
        while (true)
        {
            var m = await alerts.NextAsync(cap.Token);
            receivedAtMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var j = Json(m);
            incidentId = j?["incidentId"]?.GetValue<string>() ?? "";
            if (j?["transition"]?.GetValue<string>() == "started" && !known.Contains(incidentId, StringComparison.Ordinal))
            {
                break;
            }
        }

        var seen = await browser.WaitForAsync($"window.__seen[{JsonSerializer.Serialize(incidentId)}]", TimeSpan.FromSeconds(30), "the incident in the feed");
        long delay = seen.GetInt64() - receivedAtMs;
        output.WriteLine($"incident {incidentId}: in the DOM {delay} ms after the MQTT subscriber received it (negative: the page was first)");
        File.AppendAllText(Path.Combine(Path.GetTempPath(), "edgesentry-operator-feed-latency.txt"), $"{DateTimeOffset.UtcNow:O} {delay} ms\n");
        Assert.True(delay <= 2000, $"the incident appeared {delay} ms after its MQTT publication (limit 2000 ms)");
    }

    [Fact]
    public async Task Feed_RoutedIncident_ShowsDispatchToTheOnDutyUnitThenItsAcceptance()
    {
        // The unit's phone: a real MQTT client that says the unit is on duty (retained) before the edge starts.
        await using var phone = new EdgeSentry.Alerts.MqttConnection(new EdgeSentry.Alerts.MqttConnectionOptions { Host = _broker!.Host, Port = _broker.Port, ClientId = "phone-u-yard" });
        await phone.ConnectAsync(MqttTestSubscriber.Cap());
        await phone.PublishAsync("edgesentry/v1/units/u-yard/status", EdgeSentry.Tests.Routing.RoutingFixture.StatusJson(true, DateTimeOffset.UtcNow), 1, retain: true);
        string grid = EdgeSentry.Tests.Http.EdgeApplicationTests.RoutingGrid(_dir);
        string config = WriteConfig("127.0.0.1:0", "Gym door", FloorZoneAnalytics(), amend: root =>
        {
            root["cameras"]![0]!["gridId"] = "grid-7";
            root["routing"] = new JsonObject { ["gridMap"] = grid };
            root["units"] = new JsonArray(
                new JsonObject { ["id"] = "u-yard", ["name"] = "Yard patrol", ["gridId"] = "grid-7", ["latitude"] = 31.231, ["longitude"] = 121.47 });
        });
        await using var edge = await StartEdgeAsync(config);
        await using var browser = await HeadlessChromium.StartAsync();
        await browser.NavigateAsync(edge.BaseAddress!.ToString());
        await browser.WaitForAsync("document.body.dataset.ready === 'true'", Guard, "the page");

        // An incident in the feed that the router dispatched to u-yard, and the broker took the dispatch.
        var dispatched = await browser.WaitForAsync(
            "(() => { const d = document.querySelector('#incident-list li .dispatch[data-loop-state=dispatched][data-unit=\"u-yard\"][data-delivered=true]');"
            + " return d ? JSON.stringify({ id: d.closest('li').dataset.incidentId, text: d.textContent }) : null; })()",
            Guard, "an incident dispatched to u-yard");
        using var shown = JsonDocument.Parse(dispatched.GetString()!);
        string incidentId = shown.RootElement.GetProperty("id").GetString()!;
        string before = shown.RootElement.GetProperty("text").GetString()!;
        output.WriteLine($"{incidentId}: {before}");
        Assert.StartsWith("dispatch: dispatched to u-yard at level ", before, StringComparison.Ordinal);
        Assert.Contains("nearest-in-cell", before, StringComparison.Ordinal);
        Assert.Contains("delivered, accept by ", before, StringComparison.Ordinal);

        // The unit accepts on its acks topic; the same incident's entry says so.
        await phone.PublishAsync("edgesentry/v1/units/u-yard/acks", EdgeSentry.Tests.Routing.RoutingFixture.AckJson(incidentId, "accepted", DateTimeOffset.UtcNow), 1, retain: false);
        string selector = $"#incident-list li[data-incident-id={JsonSerializer.Serialize(incidentId)}] .dispatch";
        var accepted = await browser.WaitForAsync(
            $"(() => {{ const d = document.querySelector({JsonSerializer.Serialize(selector)}); return d && d.dataset.loopState === 'accepted' ? d.textContent : null; }})()",
            Guard, "the unit's acceptance in the feed");
        output.WriteLine($"{incidentId}: {accepted.GetString()}");
        Assert.StartsWith("dispatch: accepted by u-yard (level ", accepted.GetString(), StringComparison.Ordinal);
        // Shown as text: the entry holds no element the data could have made.
        Assert.Equal(0, (await browser.EvaluateAsync($"document.querySelector({JsonSerializer.Serialize(selector)}).children.length")).GetInt32());
    }

    private static JsonNode? Json(EdgeSentry.Alerts.MqttMessage m)
    {
        try
        {
            return JsonNode.Parse(m.Payload.Span);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static JsonObject FloorZoneAnalytics() => new()
    {
        ["zones"] = new JsonArray(new JsonObject { ["id"] = "floor", ["polygon"] = new JsonArray(P(0.1, 0.5), P(0.9, 0.5), P(0.9, 0.95), P(0.1, 0.95)) }),
        ["rules"] = new JsonArray(new JsonObject
        {
            ["id"] = "floor-intrusion", ["kind"] = "intrusion", ["zone"] = "floor", ["classes"] = new JsonArray("person"),
            ["minScore"] = 0.4, ["holdSeconds"] = 0.5,
        }),
    };

    private static JsonArray P(double x, double y) => new(x, y);

    private string WriteConfig(string listen, string cameraName, JsonObject analytics, JsonObject? extraCamera = null, string? tokenVariable = null, string file = "edge.json", Action<JsonObject>? amend = null)
    {
        var http = new JsonObject { ["listen"] = listen };
        if (tokenVariable is not null)
        {
            http["tokenEnvironmentVariable"] = tokenVariable;
        }

        var cameras = new JsonArray(new JsonObject
        {
            ["id"] = "gym",
            ["name"] = cameraName,
            ["url"] = SharedPaths.Clip(Clip),
            ["loop"] = true,
            ["analytics"] = analytics,
        });
        if (extraCamera is not null)
        {
            cameras.Add(extraCamera);
        }

        var root = new JsonObject
        {
            ["edgeId"] = "operator-test",
            ["mqtt"] = new JsonObject { ["host"] = _broker!.Host, ["port"] = _broker.Port },
            ["outbox"] = new JsonObject { ["path"] = Path.Combine(_dir, file + ".outbox.db") },
            ["http"] = http,
            ["detector"] = new JsonObject { ["model"] = SharedPaths.Model("yolox_nano.onnx") },
            ["cameras"] = cameras,
        };
        amend?.Invoke(root);
        string path = Path.Combine(_dir, file);
        File.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }

    private async Task<EdgeProcess> StartEdgeAsync(string config, IReadOnlyDictionary<string, string>? environment = null)
    {
        var edge = EdgeProcess.Start(config, environment);
        try
        {
            await edge.WaitForOutputAsync("Operator page on", Guard);
            await edge.WaitForOutputAsync("state online", Guard);
            output.WriteLine("edge at " + edge.BaseAddress);
            return edge;
        }
        catch
        {
            output.WriteLine(edge.Output);
            await edge.DisposeAsync();
            throw;
        }
    }


    private static bool Near(Vec3b p, int r, int g, int b)
    {
        // JPEG (4:2:0) softens a thin coloured line: the colour's dominant channels must still dominate.
        int dr = p.Item2 - r, dg = p.Item1 - g, db = p.Item0 - b;
        return Math.Abs(dr) + Math.Abs(dg) + Math.Abs(db) <= 120;
    }

    private static bool Yellow(Vec3b p) => p.Item2 > 150 && p.Item1 > 150 && p.Item0 < Math.Min(p.Item2, p.Item1) - 80;

    private static double FractionOfRows(Mat image, int x0, int x1, int y0, int y1, Func<Vec3b, bool> match)
    {
        int rows = 0, hits = 0;
        for (int y = y0; y <= y1; y++)
        {
            rows++;
            for (int x = x0; x <= x1; x++)
            {
                if (match(image.At<Vec3b>(y, x)))
                {
                    hits++;
                    break;
                }
            }
        }

        return rows == 0 ? 0 : hits / (double)rows;
    }

    private static double FractionOfColumns(Mat image, int x0, int x1, int y0, int y1, Func<Vec3b, bool> match)
    {
        int columns = 0, hits = 0;
        for (int x = x0; x <= x1; x++)
        {
            columns++;
            for (int y = y0; y <= y1; y++)
            {
                if (match(image.At<Vec3b>(y, x)))
                {
                    hits++;
                    break;
                }
            }
        }

        return columns == 0 ? 0 : hits / (double)columns;
    }
}

using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeSentry.Capture;
using EdgeSentry.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace EdgeSentry.Operator;

/// <summary>
/// The operator's page and its API, served by the edge itself (HTML, CSS and JS modules embedded in the
/// executable: no CDN, no build step). Every route sits behind <see cref="OperatorAccess"/>.
/// </summary>
public static class OperatorEndpoints
{
    private static readonly Dictionary<string, string> Assets = new(StringComparer.Ordinal)
    {
        ["index.html"] = "text/html; charset=utf-8",
        ["app.js"] = "text/javascript; charset=utf-8",
        ["editor.js"] = "text/javascript; charset=utf-8",
        ["dom.js"] = "text/javascript; charset=utf-8",
        ["style.css"] = "text/css; charset=utf-8",
    };

    public static IEndpointRouteBuilder MapOperatorPage(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", () => Asset("index.html"));
        endpoints.MapGet("/operator/{file}", (string file) => Assets.ContainsKey(file) ? Asset(file) : Results.NotFound());

        endpoints.MapGet("/api/cameras", (EdgeNode node, OperatorHub hub) =>
        {
            var list = node.Cameras.Select(c =>
            {
                var tap = hub.Tap(c.Options.Id);
                double age = c.Lane.FrameAge.Percentile(50);
                return new CameraView(
                    c.Options.Id, c.Options.Name ?? c.Options.Id, UrlRedactor.Redact(c.Options.Url), c.Source.State.ToWire(),
                    c.Source.FramesDecoded, c.Slot.Dropped, c.Source.Reconnects, tap?.FramesPerSecond ?? 0,
                    double.IsNaN(age) ? 0 : Math.Round(age, 1), tap?.Watched ?? false);
            }).ToList();
            return Results.Json(list, OperatorJson.Default.ListCameraView);
        });

        endpoints.MapGet("/api/cameras/{id}/live", (string id, OperatorHub hub) =>
        {
            if (hub.Tap(id) is not { } tap)
            {
                return Results.NotFound();
            }

            tap.Watch();
            if (tap.Latest is not { } f)
            {
                // Nothing drawn yet: the first frame after this request will be.
                return Results.StatusCode(StatusCodes.Status204NoContent);
            }

            var payload = new LiveFramePayload(
                id, f.Sequence, f.Width, f.Height, f.CapturedAt.UtcDateTime.ToString("O"),
                Math.Round(hub.Time.GetElapsedTime(f.CapturedTimestamp).TotalMilliseconds, 1), f.Boxes, Convert.ToBase64String(f.Jpeg));
            return Results.Json(payload, OperatorJson.Default.LiveFramePayload);
        });

        endpoints.MapGet("/api/cameras/{id}/detector", (string id, OperatorHub hub) =>
            hub.Tap(id) is { } tap
                ? Results.Json(DetectorViews.Build(tap, hub.Time.GetUtcNow()), OperatorJson.Default.DetectorView)
                : Results.NotFound());

        endpoints.MapGet("/api/cameras/{id}/analytics", async (string id, OperatorHub hub, CancellationToken ct) =>
        {
            if (hub.Editor.Path is null)
            {
                return Results.Conflict("this edge runs the built-in configuration; start it with --config FILE to edit");
            }

            var analytics = await hub.Editor.ReadAnalyticsAsync(id, ct);
            return analytics is null ? Results.NotFound() : Results.Text(analytics.ToJsonString(), "application/json; charset=utf-8");
        });

        endpoints.MapPut("/api/cameras/{id}/analytics", async (string id, HttpRequest request, OperatorHub hub, CancellationToken ct) =>
        {
            if (request.ContentLength is > ConfigEditor.MaxBodyBytes)
            {
                return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
            }

            JsonNode? body;
            try
            {
                using var limited = new MemoryStream();
                await request.Body.CopyToAsync(limited, ct);
                if (limited.Length > ConfigEditor.MaxBodyBytes)
                {
                    return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
                }

                body = JsonNode.Parse(limited.ToArray());
            }
            catch (JsonException e)
            {
                return Results.Json(new EditResult(false, null, [new EditError("$", "not JSON: " + e.Message)]), OperatorJson.Default.EditResult, statusCode: StatusCodes.Status400BadRequest);
            }

            if (body is not JsonObject analytics)
            {
                return Results.Json(new EditResult(false, null, [new EditError("$", "expected the camera's analytics object")]), OperatorJson.Default.EditResult, statusCode: StatusCodes.Status400BadRequest);
            }

            var result = await hub.Editor.SaveAnalyticsAsync(id, analytics, ct);
            return Results.Json(result, OperatorJson.Default.EditResult, statusCode: result.Saved ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity);
        });

        endpoints.MapGet("/api/incidents/{id}/snapshot.jpg", (string id, OperatorHub hub) =>
            hub.Incidents.Snapshot(id) is { } jpeg ? Results.File(jpeg, "image/jpeg") : Results.NotFound());

        endpoints.MapGet("/api/incidents/stream", StreamIncidentsAsync);
        return endpoints;
    }

    /// <summary>
    /// Server-sent events: the recent transitions ("incident") and loop states ("loop"), then each new one as it is
    /// committed; a comment every 15 s keeps proxies from closing it.
    /// </summary>
    private static async Task StreamIncidentsAsync(HttpContext context, OperatorHub hub)
    {
        var response = context.Response;
        var ct = context.RequestAborted;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        using var subscription = hub.Incidents.Subscribe();
        await response.WriteAsync("retry: 2000\n\n", ct);
        foreach (var item in subscription.Recent)
        {
            await WriteEventAsync(response, item, ct);
        }

        await response.Body.FlushAsync(ct);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                using var beat = CancellationTokenSource.CreateLinkedTokenSource(ct);
                beat.CancelAfter(TimeSpan.FromSeconds(15));
                try
                {
                    while (await subscription.Reader.WaitToReadAsync(beat.Token))
                    {
                        while (subscription.Reader.TryRead(out var item))
                        {
                            await WriteEventAsync(response, item, ct);
                        }

                        await response.Body.FlushAsync(ct);
                    }

                    return;
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    await response.WriteAsync(": keep-alive\n\n", ct);
                    await response.Body.FlushAsync(ct);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The page went away.
        }
    }

    private static async Task WriteEventAsync(HttpResponse response, FeedEvent item, CancellationToken ct)
    {
        (string name, string json) = item switch
        {
            FeedItem incident => ("incident", JsonSerializer.Serialize(incident, OperatorJson.Default.FeedItem)),
            LoopItem loop => ("loop", JsonSerializer.Serialize(loop, OperatorJson.Default.LoopItem)),
            _ => throw new ArgumentOutOfRangeException(nameof(item), item.GetType().Name, "not a feed event"),
        };
        await response.WriteAsync($"id: {item.Seq}\nevent: {name}\ndata: {json}\n\n", ct);
    }

    private static IResult Asset(string file)
    {
        var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("EdgeSentry.Operator.wwwroot." + file);
        return stream is null ? Results.NotFound() : Results.Stream(stream, Assets[file]);
    }
}

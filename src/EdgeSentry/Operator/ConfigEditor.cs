using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeSentry.Configuration;
using Microsoft.Extensions.Logging;

namespace EdgeSentry.Operator;

/// <summary>
/// The editor's way into the configuration file: a camera's <c>analytics</c> (zones, lines, masks, rules, tracker)
/// is replaced in the file's JSON, the whole candidate is validated exactly as <c>config check</c> does (model
/// labels included), and only a valid one is written: temp file next to it, fsync, the old file kept as
/// <c>.bak</c>, rename over it (atomic: a reader sees the old or the new file, never half). The running edge then
/// applies it through its file watcher (<see cref="ConfigFileWatcher"/> -> EdgeNode reload), as any edit would be.
/// Comments in the file do not survive a save (the file is rewritten from its JSON).
/// </summary>
public sealed class ConfigEditor : IDisposable
{
    public const int MaxBodyBytes = 1 << 20;

    private static readonly JsonDocumentOptions DocumentOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
    private static readonly JsonSerializerOptions WriteOptions = new() { WriteIndented = true };

    private readonly SemaphoreSlim _saving = new(1, 1);
    private readonly ILogger _logger;

    public ConfigEditor(string? path, ILogger logger)
    {
        Path = path is null ? null : System.IO.Path.GetFullPath(path);
        _logger = logger;
    }

    /// <summary>The configuration file, or null when the edge runs the built-in configuration (nothing to edit).</summary>
    public string? Path { get; }

    /// <summary>The camera's <c>analytics</c> object as the file has it (empty object when absent), or null for an unknown camera.</summary>
    public async Task<JsonNode?> ReadAnalyticsAsync(string cameraId, CancellationToken cancellationToken)
    {
        if (Path is null)
        {
            return null;
        }

        var root = JsonNode.Parse(await File.ReadAllTextAsync(Path, cancellationToken), documentOptions: DocumentOptions);
        var camera = FindCamera(root, cameraId);
        return camera is null ? null : camera["analytics"]?.DeepClone() ?? new JsonObject();
    }

    public async Task<EditResult> SaveAnalyticsAsync(string cameraId, JsonNode analytics, CancellationToken cancellationToken)
    {
        if (Path is null)
        {
            return new EditResult(false, null, [new EditError("$", "this edge runs the built-in configuration; start it with --config FILE to edit")]);
        }

        await _saving.WaitAsync(cancellationToken);
        string temp = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Path)!, $".{System.IO.Path.GetFileName(Path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var root = JsonNode.Parse(await File.ReadAllTextAsync(Path, cancellationToken), documentOptions: DocumentOptions);
            var camera = FindCamera(root, cameraId);
            if (camera is null)
            {
                return new EditResult(false, null, [new EditError("$.cameras", $"no camera with id '{cameraId}' in the configuration file")]);
            }

            camera["analytics"] = analytics.DeepClone();
            byte[] text = Encoding.UTF8.GetBytes(root!.ToJsonString(WriteOptions) + "\n");

            // Written next to the file (same file system, so the rename is atomic; same directory, so relative paths
            // in it resolve as they will) and validated from there by the very code `config check` runs.
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                await stream.WriteAsync(text, cancellationToken);
                stream.Flush(flushToDisk: true);
            }

            try
            {
                ServiceConfiguration.Load(temp);
            }
            catch (ConfigurationException e)
            {
                var errors = e.Errors.Select(ToEditError).ToList();
                OperatorLog.ConfigurationRejected(_logger, cameraId, errors.Count);
                return new EditResult(false, null, errors);
            }

            string backup = Path + ".bak";
            File.Copy(Path, backup, overwrite: true);
            File.Move(temp, Path, overwrite: true);
            OperatorLog.ConfigurationSaved(_logger, Path, backup);
            return new EditResult(true, System.IO.Path.GetFileName(backup), []);
        }
        catch (JsonException e)
        {
            return new EditResult(false, null, [new EditError("$", "the configuration file is not valid JSON: " + e.Message)]);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }

            _saving.Release();
        }
    }

    public void Dispose() => _saving.Dispose();

    /// <summary>"$.cameras[0].analytics.zones[1].polygon: message" -> path and message, so the page can place it.</summary>
    public static EditError ToEditError(string error)
    {
        int split = error.IndexOf(": ", StringComparison.Ordinal);
        return error.StartsWith('$') && split > 0 ? new EditError(error[..split], error[(split + 2)..]) : new EditError("$", error);
    }

    private static JsonObject? FindCamera(JsonNode? root, string cameraId)
    {
        if (root?["cameras"] is not JsonArray cameras)
        {
            return null;
        }

        for (int i = 0; i < cameras.Count; i++)
        {
            if (cameras[i] is JsonObject c && c["id"] is JsonValue id && id.TryGetValue(out string? s) && s == cameraId)
            {
                return c;
            }
        }

        return null;
    }
}

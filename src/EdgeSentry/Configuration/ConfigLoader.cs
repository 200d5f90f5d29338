using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace EdgeSentry.Configuration;

/// <summary>
/// Reads a configuration file (or the built-in demo default), rejects unknown keys, expands paths and
/// validates everything, reporting every problem at once.
/// </summary>
public static class ConfigLoader
{
    public const string BuiltInName = "built-in default";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    /// <summary>Loads and validates; throws <see cref="ConfigurationException"/> listing every error.</summary>
    public static EdgeSentrySection Load(string? path, Func<EdgeSentrySection, List<string>, IReadOnlyList<string>?>? labelsFor = null)
    {
        var (options, errors, source) = Read(path);
        if (options is not null)
        {
            ConfigValidator.Validate(options, errors, labelsFor);
        }

        if (errors.Count > 0)
        {
            throw new ConfigurationException(source, errors);
        }

        return options!;
    }

    /// <summary>Parses without semantic validation (syntax, types and unknown keys only).</summary>
    public static (EdgeSentrySection? Options, List<string> Errors, string Source) Read(string? path)
    {
        var errors = new List<string>();
        string text;
        string source;
        string baseDir;
        if (path is null)
        {
            source = BuiltInName;
            text = BuiltInText();
            baseDir = Directory.GetCurrentDirectory();
        }
        else
        {
            source = path;
            if (!File.Exists(path))
            {
                errors.Add($"file not found: {Path.GetFullPath(path)}");
                return (null, errors, source);
            }

            text = File.ReadAllText(path);
            baseDir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            errors.Add($"not valid JSON: {e.Message}");
            return (null, errors, source);
        }

        using (doc)
        {
            CheckKeys(doc.RootElement, typeof(EdgeSentrySection), "$", errors);
            EdgeSentrySection? options;
            try
            {
                options = doc.RootElement.Deserialize<EdgeSentrySection>(Json);
            }
            catch (JsonException e)
            {
                errors.Add($"{e.Path ?? "$"}: {e.Message.Split(" Path:", 2)[0]}");
                return (null, errors, source);
            }

            if (options is null)
            {
                errors.Add("$: the configuration is empty");
                return (null, errors, source);
            }

            ExpandPaths(options, baseDir, path is null);
            return (options, errors, source);
        }
    }

    public static string BuiltInText()
    {
        using var stream = typeof(ConfigLoader).Assembly.GetManifestResourceStream("EdgeSentry.Configuration.default.json")
            ?? throw new InvalidOperationException("built-in default configuration missing from the assembly");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Where the shared models and footage live: $EDGESENTRY_SHARED, else ../shared beside the repository.</summary>
    public static string SharedDirectory()
    {
        if (Environment.GetEnvironmentVariable("EDGESENTRY_SHARED") is { Length: > 0 } env)
        {
            return Path.GetFullPath(env);
        }

        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "EdgeSentry.sln")))
                {
                    return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared"));
                }
            }
        }

        return Path.GetFullPath(Path.Combine(Directory.GetCurrentDirectory(), "..", "shared"));
    }

    private static void ExpandPaths(EdgeSentrySection o, string baseDir, bool builtIn)
    {
        string shared = SharedDirectory();
        string Expand(string p)
        {
            p = p.Replace("${shared}", shared, StringComparison.Ordinal);
            if (p.Contains("://", StringComparison.Ordinal))
            {
                return p;
            }

            return Path.IsPathRooted(p) ? p : Path.GetFullPath(Path.Combine(builtIn ? Directory.GetCurrentDirectory() : baseDir, p));
        }

        o.Detector.Model = Expand(o.Detector.Model);
        o.Outbox.Path = Expand(o.Outbox.Path);
        if (o.Routing is { } routing && !string.IsNullOrWhiteSpace(routing.GridMap))
        {
            routing.GridMap = Expand(routing.GridMap);
        }
        foreach (var c in o.Cameras)
        {
            c.Url = Expand(c.Url);
        }

        if (o.Mqtt.Tls is { } tls)
        {
            tls.CaFile = tls.CaFile is null ? null : Expand(tls.CaFile);
            tls.CertFile = tls.CertFile is null ? null : Expand(tls.CertFile);
            tls.KeyFile = tls.KeyFile is null ? null : Expand(tls.KeyFile);
        }

        if (o.Demo?.RtspServer is { } rtsp)
        {
            foreach (var k in rtsp.Clips.Keys.ToList())
            {
                rtsp.Clips[k] = Expand(rtsp.Clips[k]);
            }
        }
    }

    /// <summary>Every key that no property of the target type takes is an error (typos must not be ignored silently).</summary>
    private static void CheckKeys(JsonElement element, Type type, string path, List<string> errors)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        var info = Json.GetTypeInfo(type);
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object when element.ValueKind == JsonValueKind.Object:
                var props = info.Properties.ToDictionary(p => p.Name, StringComparer.Ordinal);
                foreach (var prop in element.EnumerateObject())
                {
                    if (!props.TryGetValue(prop.Name, out var p))
                    {
                        var near = props.Keys.Where(k => EditDistance(k.ToLowerInvariant(), prop.Name.ToLowerInvariant()) <= 2)
                            .OrderBy(k => EditDistance(k.ToLowerInvariant(), prop.Name.ToLowerInvariant())).FirstOrDefault();
                        errors.Add($"{path}.{prop.Name}: unknown key" + (near is null ? $" (known: {string.Join(", ", props.Keys)})" : $" (did you mean '{near}'?)"));
                        continue;
                    }

                    CheckKeys(prop.Value, p.PropertyType, $"{path}.{prop.Name}", errors);
                }

                break;
            case JsonTypeInfoKind.Enumerable when element.ValueKind == JsonValueKind.Array && info.ElementType is { } et:
                int i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    CheckKeys(item, et, $"{path}[{i++}]", errors);
                }

                break;
            case JsonTypeInfoKind.Dictionary when element.ValueKind == JsonValueKind.Object && info.ElementType is { } vt:
                foreach (var prop in element.EnumerateObject())
                {
                    CheckKeys(prop.Value, vt, $"{path}.{prop.Name}", errors);
                }

                break;
        }
    }

    /// <summary>Levenshtein distance, for "did you mean" on misspelt keys.</summary>
    private static int EditDistance(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            prev[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            (prev, cur) = (cur, prev);
        }

        return prev[b.Length];
    }
}

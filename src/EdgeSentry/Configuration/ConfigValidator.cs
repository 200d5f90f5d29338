using System.Text.RegularExpressions;
using EdgeSentry.Capture;

namespace EdgeSentry.Configuration;

/// <summary>Every semantic check, collecting all errors with their paths (nothing stops at the first).</summary>
public static partial class ConfigValidator
{
    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex TopicSafeId();

    public static void Validate(EdgeSentrySection o, List<string> errors, Func<EdgeSentrySection, List<string>, IReadOnlyList<string>?>? labelsFor)
    {
        if (!TopicSafeId().IsMatch(o.EdgeId ?? string.Empty))
        {
            errors.Add($"$.edgeId: '{o.EdgeId}' must be 1-64 letters, digits, '-' or '_' (it is part of MQTT topics)");
        }

        if (o.StatsIntervalSeconds is < 1 or > 3600)
        {
            errors.Add($"$.statsIntervalSeconds: {o.StatsIntervalSeconds} must be between 1 and 3600");
        }

        ValidateMqtt(o.Mqtt, errors);
        // Operator page security: a non-loopback listen address needs a token (issue 13).
        Operator.OperatorAccess.Validate(o.Http, errors);
        if (!HttpSection.TryParseListen(o.Http.Listen, out _))
        {
            errors.Add($"$.http.listen: '{o.Http.Listen}' must be address:port, e.g. \"127.0.0.1:9090\" (an IPv4 address, [IPv6] or localhost; port 0-65535)");
        }

        if (string.IsNullOrWhiteSpace(o.Outbox.Path))
        {
            errors.Add("$.outbox.path: a database file is needed");
        }

        if (o.Outbox.MaxMessages is < 100 or > 10_000_000)
        {
            errors.Add($"$.outbox.maxMessages: {o.Outbox.MaxMessages} must be between 100 and 10,000,000");
        }

        if (o.Outbox.MaxBytes is < 1L << 20 or > 1L << 40)
        {
            errors.Add($"$.outbox.maxBytes: {o.Outbox.MaxBytes} must be between 1 MiB (1048576) and 1 TiB (1099511627776)");
        }

        if (o.Outbox.MaxAgeHours is <= 0 or > 24 * 30)
        {
            errors.Add($"$.outbox.maxAgeHours: {o.Outbox.MaxAgeHours} must be in (0, 720]");
        }

        ValidateDetector(o.Detector, errors);

        IReadOnlyList<string>? labels = null;
        if (File.Exists(o.Detector.Model))
        {
            labels = labelsFor?.Invoke(o, errors);
        }

        if (o.Cameras.Count == 0)
        {
            errors.Add("$.cameras: at least one camera is needed");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < o.Cameras.Count; i++)
        {
            var c = o.Cameras[i];
            string p = $"$.cameras[{i}]";
            if (c.Id is null || !TopicSafeId().IsMatch(c.Id))
            {
                errors.Add($"{p}.id: '{c.Id}' must be 1-64 letters, digits, '-' or '_' (it is part of MQTT topics)");
            }
            else if (!ids.Add(c.Id))
            {
                errors.Add($"{p}.id: '{c.Id}' is used by another camera");
            }

            if (!TopicSafeId().IsMatch(c.GridId ?? string.Empty))
            {
                errors.Add($"{p}.gridId: '{c.GridId}' must be 1-64 letters, digits, '-' or '_'");
            }

            ValidateUrl(c.Url, $"{p}.url", errors);
            if (c.Latitude is < -90 or > 90)
            {
                errors.Add($"{p}.latitude: {c.Latitude} is outside [-90, 90]");
            }

            if (c.Longitude is < -180 or > 180)
            {
                errors.Add($"{p}.longitude: {c.Longitude} is outside [-180, 180]");
            }

            if (c.Latitude.HasValue != c.Longitude.HasValue)
            {
                errors.Add($"{p}: latitude and longitude go together");
            }

            if (c.MaxFps is <= 0 or > 120)
            {
                errors.Add($"{p}.maxFps: {c.MaxFps} must be in (0, 120]");
            }

            if (c.StallSeconds is < 1 or > 300)
            {
                errors.Add($"{p}.stallSeconds: {c.StallSeconds} must be between 1 and 300");
            }

            if (c.ReconnectMaxSeconds is < 0.1 or > 600)
            {
                errors.Add($"{p}.reconnectMaxSeconds: {c.ReconnectMaxSeconds} must be between 0.1 and 600");
            }

            if (c.MaxDecodeWidth is < 64 or > 7680)
            {
                errors.Add($"{p}.maxDecodeWidth: {c.MaxDecodeWidth} must be between 64 and 7680");
            }

            c.Analytics.Validate($"{p}.analytics", labels ?? [], errors);
            (c.Detection ?? new()).Validate($"{p}.detection", errors);
        }

        ValidateRouting(o, errors);

        if (o.Demo?.RtspServer is { } rtsp)
        {
            if (rtsp.Port is < 1 or > 65535)
            {
                errors.Add($"$.demo.rtspServer.port: {rtsp.Port} is not a TCP port");
            }

            foreach (var (name, file) in rtsp.Clips)
            {
                if (!TopicSafeId().IsMatch(name))
                {
                    errors.Add($"$.demo.rtspServer.clips.{name}: mount names are letters, digits, '-' or '_'");
                }

                if (!File.Exists(file))
                {
                    errors.Add($"$.demo.rtspServer.clips.{name}: clip not found: {file}");
                }
            }
        }
    }

    /// <summary>
    /// With routing: the grid map parses, every unit names a cell of it, and every camera can be placed (its gridId
    /// if the map has it, else its latitude/longitude). Units without routing are an error, not silently ignored.
    /// </summary>
    private static void ValidateRouting(EdgeSentrySection o, List<string> errors)
    {
        if (o.Routing is not { } r)
        {
            if (o.Units.Count > 0)
            {
                errors.Add("$.units: units are only used with a routing section (routing.gridMap)");
            }

            return;
        }

        Routing.GridMap? map = null;
        if (string.IsNullOrWhiteSpace(r.GridMap))
        {
            errors.Add("$.routing.gridMap: a GeoJSON file of the grid cells is needed");
        }
        else
        {
            try
            {
                map = Routing.GridMap.Load(r.GridMap, Math.Max(0, r.NeighbourDistanceMetres));
            }
            catch (Routing.GridMapException e)
            {
                errors.AddRange(e.Errors.Select(m => $"$.routing.gridMap ({r.GridMap}): {m}"));
            }
        }

        if (r.NeighbourDistanceMetres is < 0 or > 10_000)
        {
            errors.Add($"$.routing.neighbourDistanceMetres: {r.NeighbourDistanceMetres} must be between 0 and 10000");
        }

        if (r.StatusStaleAfterSeconds is < 10 or > 86_400)
        {
            errors.Add($"$.routing.statusStaleAfterSeconds: {r.StatusStaleAfterSeconds} must be between 10 and 86400");
        }

        if (r.MaxInputBytes is < 256 or > 65_536)
        {
            errors.Add($"$.routing.maxInputBytes: {r.MaxInputBytes} must be between 256 and 65536");
        }

        if (r.AcceptSlaSeconds.Count != 3 || r.AcceptSlaSeconds.Any(s => s is < 1 or > 86_400))
        {
            errors.Add("$.routing.acceptSlaSeconds: three values (levels 1, 2, 3), each 1-86400 seconds");
        }

        if (r.StateExpirySeconds is < 60 or > 31_536_000)
        {
            errors.Add($"$.routing.stateExpirySeconds: {r.StateExpirySeconds} must be between 60 and 31536000 (a year)");
        }

        if (r.MaxTrackedIncidents is < 1 or > 1_000_000)
        {
            errors.Add($"$.routing.maxTrackedIncidents: {r.MaxTrackedIncidents} must be between 1 and 1000000");
        }

        if (r.MaxClockSkewSeconds is < 0 or > 86_400)
        {
            errors.Add($"$.routing.maxClockSkewSeconds: {r.MaxClockSkewSeconds} must be between 0 and 86400");
        }

        if (r.UnitMessagesPerSecond is not (> 0 and <= 1000) || r.UnitBurst is < 1 or > 10_000)
        {
            errors.Add("$.routing.unitMessagesPerSecond (0-1000] and unitBurst (1-10000) bound each unit's input rate");
        }

        if (o.Units.Count == 0)
        {
            errors.Add("$.units: routing needs at least one unit");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < o.Units.Count; i++)
        {
            UnitSection u = o.Units[i];
            string p = $"$.units[{i}]";
            if (!TopicSafeId().IsMatch(u.Id ?? string.Empty))
            {
                errors.Add($"{p}.id: '{u.Id}' must be 1-64 letters, digits, '-' or '_' (it is part of MQTT topics)");
            }
            else if (!ids.Add(u.Id!))
            {
                errors.Add($"{p}.id: '{u.Id}' is used by another unit");
            }

            if (map is not null && !map.TryGetCell(u.GridId ?? string.Empty, out _))
            {
                errors.Add($"{p}.gridId: '{u.GridId}' is not a cell of the grid map");
            }

            if (u.Latitude.HasValue != u.Longitude.HasValue || u.Latitude is < -90 or > 90 || u.Longitude is < -180 or > 180)
            {
                errors.Add($"{p}: latitude [-90, 90] and longitude [-180, 180] go together");
            }
        }

        if (map is null)
        {
            return;
        }

        for (int i = 0; i < o.Cameras.Count; i++)
        {
            CameraSection c = o.Cameras[i];
            try
            {
                map.Locate(c.Id, RoutingGridId(c, map), CameraPosition(c));
            }
            catch (ArgumentException e)
            {
                errors.Add($"$.cameras[{i}].gridId: {e.Message.Split(" (Parameter", 2)[0]}");
            }
        }
    }

    /// <summary>The camera's gridId if the grid map has it; otherwise null, so that its position places it.</summary>
    internal static string? RoutingGridId(CameraSection c, Routing.GridMap map) =>
        map.TryGetCell(c.GridId ?? string.Empty, out _) || c.Latitude is null ? c.GridId : null;

    internal static Routing.GeoPoint? CameraPosition(CameraSection c) =>
        c.Latitude is { } lat && c.Longitude is { } lon ? new Routing.GeoPoint(lat, lon) : null;

    private static void ValidateUrl(string url, string path, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            errors.Add($"{path}: a camera needs a URL or a file");
            return;
        }

        if (url.Contains("://", StringComparison.Ordinal))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            {
                errors.Add($"{path}: '{UrlRedactor.Redact(url)}' is not a valid URL");
            }
            else if (uri.Scheme is not ("rtsp" or "rtsps" or "rtmp" or "http" or "https" or "file" or "udp" or "srt"))
            {
                errors.Add($"{path}: scheme '{uri.Scheme}' is not supported (rtsp, rtsps, rtmp, http(s), srt, udp, file)");
            }

            return;
        }

        if (!File.Exists(url))
        {
            errors.Add($"{path}: file not found: {url}");
        }
    }

    private static void ValidateMqtt(MqttSection m, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(m.Host))
        {
            errors.Add("$.mqtt.host: a broker host is needed");
        }

        if (m.Port is < 1 or > 65535)
        {
            errors.Add($"$.mqtt.port: {m.Port} is not a TCP port");
        }

        if (m.KeepAliveSeconds is < 5 or > 3600)
        {
            errors.Add($"$.mqtt.keepAliveSeconds: {m.KeepAliveSeconds} must be between 5 and 3600");
        }

        if (m.ConnectTimeoutSeconds is <= 0 or > 300)
        {
            errors.Add($"$.mqtt.connectTimeoutSeconds: {m.ConnectTimeoutSeconds} must be in (0, 300]");
        }

        if (m.Password is not null && m.PasswordEnvironmentVariable is not null)
        {
            errors.Add("$.mqtt: give either password or passwordEnvironmentVariable, not both");
        }

        if (m.PasswordEnvironmentVariable is { } env && Environment.GetEnvironmentVariable(env) is null)
        {
            errors.Add($"$.mqtt.passwordEnvironmentVariable: environment variable {env} is not set");
        }

        if ((m.Password is not null || m.PasswordEnvironmentVariable is not null) && string.IsNullOrEmpty(m.Username))
        {
            errors.Add("$.mqtt.username: a password needs a username");
        }

        if (m.Tls is { } tls)
        {
            if (tls.CaFile is null)
            {
                errors.Add("$.mqtt.tls.caFile: TLS needs a CA file");
            }

            foreach (var (name, file) in new[] { ("caFile", tls.CaFile), ("certFile", tls.CertFile), ("keyFile", tls.KeyFile) })
            {
                if (file is not null && !File.Exists(file))
                {
                    errors.Add($"$.mqtt.tls.{name}: file not found: {file}");
                }
            }

            if ((tls.CertFile is null) != (tls.KeyFile is null))
            {
                errors.Add("$.mqtt.tls: certFile and keyFile go together");
            }
        }
    }

    private static void ValidateDetector(DetectorSection d, List<string> errors)
    {
        if (!File.Exists(d.Model))
        {
            errors.Add($"$.detector.model: model file not found: {d.Model}");
        }

        if (d.Workers is < 1 or > 64)
        {
            errors.Add($"$.detector.workers: {d.Workers} must be between 1 and 64");
        }

        if (d.IntraOpThreads is < 1 or > 64)
        {
            errors.Add($"$.detector.intraOpThreads: {d.IntraOpThreads} must be between 1 and 64");
        }

        if (!(d.WatchdogSeconds is >= 1 and <= 600))
        {
            errors.Add($"$.detector.watchdogSeconds: {d.WatchdogSeconds} must be between 1 and 600 (seconds a detector call may take before it is abandoned)");
        }

        if (d.ScoreThreshold is <= 0 or >= 1)
        {
            errors.Add($"$.detector.scoreThreshold: {d.ScoreThreshold} must be in (0, 1)");
        }

        string? provider = Detection.ExecutionProviders.Normalise(d.ExecutionProvider);
        if (provider is null)
        {
            errors.Add($"$.detector.executionProvider: '{d.ExecutionProvider}' is not one of {string.Join(", ", Detection.ExecutionProviders.Names)}");
        }
        else if (provider == Detection.ExecutionProviders.Cpu && d.ProviderOptions is { Count: > 0 })
        {
            errors.Add($"$.detector.providerOptions: the cpu provider takes no options (got {string.Join(", ", d.ProviderOptions.Keys)})");
        }

        foreach (var (key, value) in d.ProviderOptions ?? [])
        {
            if (string.IsNullOrWhiteSpace(key) || value is null)
            {
                errors.Add($"$.detector.providerOptions: '{key}' needs a non-empty key and a string value (ONNX Runtime's own option names, e.g. \"device_id\": \"0\")");
            }
        }
    }
}

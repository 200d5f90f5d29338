using System.Text;
using System.Text.Json;
using EdgeSentry.Alerts;
using EdgeSentry.Rules;
using EdgeSentry.Tests.Peers;
using EdgeSentry.Tests.Rules;

namespace EdgeSentry.Tests.Contracts;

public sealed class AsyncApiContractTests
{
    [Fact]
    public void Load_RepositoryDocument_EveryChannelResolvesToASchemaFile()
    {
        AsyncApiContract contract = AsyncApiContract.Default;

        Assert.Equal("3.0.0", contract.Version);
        Assert.Equal(
            ["cameraStatus", "edgeStats", "edgeStatus", "escalations", "incidentAlerts", "incidentState", "unitAcks", "unitAlerts", "unitStatus"],
            contract.Channels.Select(c => c.Name).Order(StringComparer.Ordinal));
        Assert.All(contract.Channels, c => Assert.True(File.Exists(Path.Combine(SharedPaths.RepoRoot, "contracts", c.Schema.File)), c.Schema.File));
    }

    [Theory]
    [InlineData("edgesentry/v1/edges/edge-1/cameras/cam-1/status", "cameraStatus")]
    [InlineData("edgesentry/v1/edges/edge-1/status", "edgeStatus")]
    [InlineData("edgesentry/v1/edges/edge-1/stats", "edgeStats")]
    [InlineData("edgesentry/v1/alerts/cell-a/edge-1/cam-1", "incidentAlerts")]
    [InlineData("edgesentry/v1/incidents/edge-1/edge-1:cam-1-gate-loiter-20261202T010203004Z-1/state", "incidentState")]
    [InlineData("edgesentry/v1/units/u-1/alerts", "unitAlerts")]
    [InlineData("edgesentry/v1/units/u-1/acks", "unitAcks")]
    public void ChannelOf_TopicOfTheTree_ItsChannel(string topic, string channel) =>
        Assert.Equal(channel, AsyncApiContract.Default.ChannelOf(topic)?.Name);

    [Theory]
    [InlineData("edgesentry/v1/cameras/cam-1/status")]
    [InlineData("edgesentry/v1/edges/edge-1/cameras/cam-1")]
    [InlineData("edgesentry/v1/alerts/cell-a")]
    [InlineData("edgesentry/v1/alerts/cell-a/cam-1")]
    public void Validate_TopicNoChannelDescribes_Rejected(string topic) =>
        Assert.Contains("no channel", Assert.Single(AsyncApiContract.Default.Validate(topic, "{}"u8)), StringComparison.Ordinal);

    [Fact]
    public void Validate_PayloadBreakingItsSchema_NamesTheSchemaAndTheField()
    {
        byte[] status = Encoding.UTF8.GetBytes("""{"schema":"edgesentry/v1/camera-status","version":2,"edgeId":"e","cameraId":"c","state":"sleeping","at":"2026-11-23T08:00:00.000Z"}""");
        byte[] v1 = Encoding.UTF8.GetBytes("""{"schema":"edgesentry/v1/camera-status","version":1,"cameraId":"c","state":"online","at":"2026-11-23T08:00:00.000Z"}""");
        byte[] good = Encoding.UTF8.GetBytes("""{"schema":"edgesentry/v1/camera-status","version":2,"edgeId":"e","cameraId":"c","state":"online","at":"2026-11-23T08:00:00.0000000Z"}""");

        IReadOnlyList<string> errors = AsyncApiContract.Default.Validate("edgesentry/v1/edges/e/cameras/c/status", status);

        Assert.Contains(errors, e => e.Contains("camera-status.v2.schema.json", StringComparison.Ordinal) && e.Contains("/state", StringComparison.Ordinal));
        Assert.NotEmpty(AsyncApiContract.Default.Validate("edgesentry/v1/edges/e/cameras/c/status", v1));
        Assert.Empty(AsyncApiContract.Default.Validate("edgesentry/v1/edges/e/cameras/c/status", good));
        Assert.Empty(AsyncApiContract.Default.Validate("edgesentry/v1/edges/e/cameras/c/status", ReadOnlySpan<byte>.Empty));
    }

    [Fact]
    public void Build_LineCrossingIncidents_CarryLineDirectionAndPerClassCountsAndValidate()
    {
        var s = new RuleScenario(new CameraRulesDefinition
        {
            Lines = [new LineDefinition { Id = "entry", From = [0.2, 0.5], To = [0.8, 0.5], Direction = [0, 1] }],
            Rules = [new RuleDefinition { Id = "count", Kind = "line-crossing", Line = "entry", Classes = ["person", "car"], HoldSeconds = 10 }],
        });
        s.Run(0, 4, 0.1, t => [RuleScenario.At(0.4, 0.3 + (0.4 * Math.Clamp(t / 3, 0, 1)))]);
        s.Run(4, 8, 0.1, t => [RuleScenario.At(0.5, 0.3 + (0.4 * Math.Clamp((t - 4) / 3, 0, 1)), RuleScenario.Car)]);
        s.Run(8, 20, 0.1, _ => []);
        var builder = new IncidentMessageBuilder("edge-1", [new AlertCamera("cam1", "Gate", "cell-a")]);

        List<OutgoingMessage> messages = [.. s.Sink.Events.Select(e => builder.Build(e))];

        Assert.Equal(3, messages.Count);
        Assert.All(messages, m => Assert.Empty(AsyncApiContract.Default.Validate(m.Topic, m.Payload)));
        using JsonDocument last = JsonDocument.Parse(messages[^1].Payload);
        JsonElement line = last.RootElement.GetProperty("line");
        Assert.Equal(4, last.RootElement.GetProperty("version").GetInt32());
        Assert.Equal("entry", line.GetProperty("lineId").GetString());
        Assert.Equal("direction", line.GetProperty("counted").GetString());
        Assert.Equal([0.0, 1.0], line.GetProperty("direction").EnumerateArray().Select(d => d.GetDouble()));
        Assert.Equal(1, line.GetProperty("classCounts").GetProperty("person").GetInt32());
        Assert.Equal(1, line.GetProperty("classCounts").GetProperty("car").GetInt32());
    }

    [Fact]
    public void Build_NonLineIncident_HasNoLine()
    {
        var builder = new IncidentMessageBuilder("edge-1", [new AlertCamera("cam-1", "Gate", "cell-a")]);
        OutgoingMessage m = builder.Build(new IncidentEvent
        {
            IncidentId = "i-1",
            Sequence = 1,
            Transition = IncidentTransition.Started,
            Kind = "loitering",
            RuleId = "r",
            CameraId = "cam-1",
            ZoneId = "z",
            Severity = 1,
            ClassId = 0,
            Label = "person",
            Score = 0.9f,
            Box = new(1, 2, 3, 4),
            StartedPtsSeconds = 0,
            PtsSeconds = 0,
            StartedAt = DateTimeOffset.UnixEpoch,
            At = DateTimeOffset.UnixEpoch,
            FrameWidth = 640,
            FrameHeight = 480,
        });

        Assert.Empty(AsyncApiContract.Default.Validate(m.Topic, m.Payload));
        using JsonDocument doc = JsonDocument.Parse(m.Payload);
        Assert.False(doc.RootElement.TryGetProperty("line", out _));
    }
}

using EdgeSentry.Tracking;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeSentry.Rules;

/// <summary>
/// The rule stage of one camera: measures where the tracks stand, runs every enabled rule's evaluator
/// in configuration order (each feeding the shared incident lifecycle), and says which track slots
/// open incidents still refer to.
/// </summary>
internal sealed class RuleSet
{
    private readonly CameraRuleContext _camera;
    private readonly RuleEvaluator[] _evaluators;
    private readonly TrackGeometry _geometry;
    private readonly bool[] _pinned;

    public RuleSet(CameraRulesDefinition definition, CameraRuleContext camera, TimeZoneInfo defaultTimeZone)
    {
        _camera = camera;
        var zones = definition.Zones.Select(z => new CompiledZone(z)).ToArray();
        var lines = definition.Lines.Select(l => new CompiledLine(l)).ToArray();
        _geometry = new TrackGeometry(zones, camera.TrackCapacity);
        _pinned = new bool[camera.TrackCapacity];
        _evaluators = definition.Rules
            .Where(r => r.Enabled)
            .Select(r =>
            {
                if (!RuleKinds.TryParse(r.Kind, out var kind))
                {
                    throw new ArgumentException($"rule '{r.Id}': unknown kind '{r.Kind}'", nameof(definition));
                }

                int zoneIndex = r.Zone is null ? -1 : Array.FindIndex(zones, z => z.Id == r.Zone);
                var line = r.Line is null ? null : Array.Find(lines, l => l.Id == r.Line);
                var rule = new CompiledRule(r, kind, zoneIndex < 0 ? null : zones[zoneIndex], zoneIndex, line, camera.Labels, defaultTimeZone);
                return RuleEvaluators.Create(rule, r, camera);
            })
            .ToArray();
    }

    public ILogger Logger { get; set; } = NullLogger.Instance;

    /// <summary>Per track slot, after <see cref="Evaluate"/>: whether an open incident still refers to it.</summary>
    public ReadOnlySpan<bool> Pinned => _pinned;

    public LineCrossingEvaluator? FindLine(string ruleId) =>
        Array.Find(_evaluators, e => e.Rule.Id == ruleId) as LineCrossingEvaluator;

    public void Evaluate(
        ReadOnlySpan<EdgeSentry.Detection.Detection> detections, ReadOnlySpan<TrackedObject> tracks, int frameWidth, int frameHeight,
        double t, double step, DateTimeOffset at, IIncidentSink sink)
    {
        _geometry.Measure(tracks, frameWidth, frameHeight);
        var frame = new RuleFrame(detections, tracks, _geometry, t, step, at, sink);
        Array.Clear(_pinned);
        foreach (var evaluator in _evaluators)
        {
            var rule = evaluator.Rule;
            bool armed = rule.IsArmed(at);
            if (armed != rule.WasArmed)
            {
                rule.WasArmed = armed;
                RulesLog.ScheduleChanged(Logger, _camera.CameraId, rule.Id, armed ? "armed" : "disarmed");
            }

            evaluator.Evaluate(frame, armed);
            evaluator.MarkPinned(_pinned);
        }
    }

    /// <summary>Ends every open incident now (shutdown, camera removed) and forgets pending ones; unpins every slot.</summary>
    public void Flush(double t, double step, DateTimeOffset at, IIncidentSink sink)
    {
        var frame = new RuleFrame([], [], _geometry, t, step, at, sink);
        foreach (var evaluator in _evaluators)
        {
            evaluator.Flush(frame);
        }

        Array.Clear(_pinned);
    }
}

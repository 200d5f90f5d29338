using System.Diagnostics.Metrics;

namespace EdgeSentry.Diagnostics;

/// <summary>
/// The service's instruments, on one Meter from <see cref="IMeterFactory"/>. Camera ids are the only
/// tag; URLs never appear in metrics.
/// </summary>
public sealed class EdgeSentryMetrics
{
    public const string MeterName = "EdgeSentry";

    private static readonly InstrumentAdvice<double> SecondsAdvice = new()
    {
        HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    };

    public EdgeSentryMetrics(IMeterFactory meterFactory)
    {
        Meter = meterFactory.Create(MeterName);
        FramesDecoded = Meter.CreateCounter<long>("edgesentry.frames.decoded", "{frame}", "Frames read from decoders");
        FramesDropped = Meter.CreateCounter<long>("edgesentry.frames.dropped", "{frame}", "Frames replaced in the freshest-frame slot before detection took them");
        FramesSkipped = Meter.CreateCounter<long>("edgesentry.frames.skipped", "{frame}", "Frames taken from the slot and passed over by the camera's detection policy (apart from drops)");
        FramesWithMotion = Meter.CreateCounter<long>("edgesentry.frames.motion", "{frame}", "Frames whose motion measure reached the camera's threshold");
        FramesMeasured = Meter.CreateCounter<long>("edgesentry.frames.motion_measured", "{frame}", "Frames measured for motion (motion fraction = motion / measured)");
        FramesProcessed = Meter.CreateCounter<long>("edgesentry.frames.processed", "{frame}", "Frames through detection, tracking and rules");
        // Seconds, the base unit Prometheus expects (promtool lints "_milliseconds"), with buckets from 1 ms to 10 s.
        InferenceLatency = Meter.CreateHistogram("edgesentry.inference.duration", "s", "Preprocess + model run + decode per frame", advice: SecondsAdvice);
        FrameAge = Meter.CreateHistogram("edgesentry.frame.age", "s", "Captured to rules evaluated, per frame", advice: SecondsAdvice);
        AlertLatency = Meter.CreateHistogram("edgesentry.alert.latency", "s", "Frame captured to incident committed to the durable outbox", advice: SecondsAdvice);
        Incidents = Meter.CreateCounter<long>("edgesentry.incidents", "{incident}", "Incident transitions produced");
        Reconnects = Meter.CreateCounter<long>("edgesentry.camera.reconnects", "{reconnect}", "Decoder restarts");
        Stalls = Meter.CreateCounter<long>("edgesentry.camera.stalls", "{stall}", "Decoders killed by the watchdog");
        Faults = Meter.CreateCounter<long>("edgesentry.faults", "{fault}", "Items (a frame, a message, a unit message) whose processing failed and was skipped, by stage");
        LoopRestarts = Meter.CreateCounter<long>("edgesentry.loop.restarts", "{restart}", "Supervised loops restarted after ending unexpectedly, by loop");
        WatchdogRecoveries = Meter.CreateCounter<long>("edgesentry.detector.watchdog_recoveries", "{recovery}", "Detector calls abandoned past the watchdog limit (session recreated), by model and worker");
    }

    public Meter Meter { get; }
    public Counter<long> FramesDecoded { get; }
    public Counter<long> FramesDropped { get; }
    public Counter<long> FramesProcessed { get; }
    public Counter<long> FramesSkipped { get; }
    public Counter<long> FramesWithMotion { get; }
    public Counter<long> FramesMeasured { get; }
    public Histogram<double> InferenceLatency { get; }
    public Histogram<double> FrameAge { get; }
    public Histogram<double> AlertLatency { get; }
    public Counter<long> Incidents { get; }
    public Counter<long> Reconnects { get; }
    public Counter<long> Stalls { get; }
    public Counter<long> Faults { get; }
    public Counter<long> LoopRestarts { get; }
    public Counter<long> WatchdogRecoveries { get; }
}

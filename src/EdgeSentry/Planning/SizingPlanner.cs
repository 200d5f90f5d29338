namespace EdgeSentry.Planning;

/// <summary>
/// Turns measured costs into cameras per box and boxes per district. Pure arithmetic over CPU seconds:
/// decoding runs for every camera whatever the detector does, and every detection costs its model's in-process
/// CPU plus the tracking/rules overhead; both share the same cores, so their costs add up.
/// </summary>
public static class SizingPlanner
{
    public static SizingRow Size(SizingInputs inputs, DecodeCost decode, InferenceCost inference)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputs.Cores, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputs.DetectionFps);
        if (inputs.Headroom is < 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(inputs), inputs.Headroom, "headroom must be in [0, 1)");
        }

        double rate = Math.Min(inputs.DetectionFps, decode.Stream.FramesPerSecond);
        double perDetectionCores = (inference.CpuMsPerDetection + inputs.OverheadMsPerDetection) / 1000.0;
        double perCamera = decode.CoresPerCamera + (rate * perDetectionCores);

        double usable = (inputs.Cores * (1 - inputs.Headroom)) - inputs.BaseCores;
        int byCpu = perCamera > 0 ? Math.Max(0, (int)Math.Floor(usable / perCamera)) : int.MaxValue;

        // One session never runs on more than its intra-op threads, so a 1x1 layout caps inference at one core
        // even on a larger box.
        double inferenceCores = Math.Min(inference.MaxInferenceCores, inputs.Cores) * (1 - inputs.Headroom);
        double inferencePerCamera = rate * inference.CpuMsPerDetection / 1000.0;
        int byLayout = inferencePerCamera > 0 ? (int)Math.Floor(inferenceCores / inferencePerCamera) : int.MaxValue;

        int cameras = Math.Min(byCpu, byLayout);
        return new SizingRow
        {
            Model = inference.Model,
            Layout = inference.Layout,
            Stream = decode.Stream.ToString(),
            DetectionsPerCamera = rate,
            DecodeCoresPerCamera = decode.CoresPerCamera,
            InferenceCpuMsPerDetection = inference.CpuMsPerDetection,
            CoresPerCamera = perCamera,
            CamerasPerBox = cameras,
            Limit = byLayout < byCpu ? "layout" : "cpu",
            Boxes = cameras > 0 ? (int)Math.Ceiling((double)inputs.DistrictCameras / cameras) : null,
            Prediction = inputs.PredictCameras is int k ? Predict(inputs, decode, inference, k) : null,
        };
    }

    /// <summary>
    /// K cameras on the whole box (no headroom): when they fit, every camera gets its full detection rate and the
    /// cores are simply added up; when they do not, decoding still runs for all of them (the freshest-frame slot
    /// drops after decoding) and detection gets what is left, within what the layout's threads can use.
    /// </summary>
    public static CameraPrediction Predict(SizingInputs inputs, DecodeCost decode, InferenceCost inference, int cameras)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cameras);
        double rate = Math.Min(inputs.DetectionFps, decode.Stream.FramesPerSecond);
        double perDetectionCores = (inference.CpuMsPerDetection + inputs.OverheadMsPerDetection) / 1000.0;
        double decodeCores = cameras * decode.CoresPerCamera;
        double wanted = cameras * rate;

        double leftForDetection = Math.Max(0, inputs.Cores - inputs.BaseCores - decodeCores);
        double byCpu = leftForDetection / perDetectionCores;
        double byLayout = Math.Min(inference.MaxInferenceCores, inputs.Cores) / (inference.CpuMsPerDetection / 1000.0);
        double detections = Math.Min(wanted, Math.Min(byCpu, byLayout));
        double cores = Math.Min(inputs.Cores, inputs.BaseCores + decodeCores + (detections * perDetectionCores));
        return new CameraPrediction(cameras, cores, cores / inputs.Cores, detections, detections < wanted);
    }
}

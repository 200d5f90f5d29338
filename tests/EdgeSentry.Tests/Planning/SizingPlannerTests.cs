using EdgeSentry.Planning;

namespace EdgeSentry.Tests.Planning;

public sealed class SizingPlannerTests
{
    // 0.05 cores of decoding per camera (1 CPU second per 20 s of video).
    private static readonly DecodeCost Decode = new("clip.mp4", new StreamFormat(768, 432, 10), 5, VideoSeconds: 20, FramesRead: 100, DecoderCpuSeconds: 0.9, ReaderCpuSeconds: 0.1);

    private static SizingInputs Inputs(int cores = 2, double fps = 5, int district = 958, double headroom = 0.2, int? predict = null) => new()
    {
        Cores = cores,
        DetectionFps = fps,
        DistrictCameras = district,
        Headroom = headroom,
        OverheadMsPerDetection = 0,
        BaseCores = 0,
        PredictCameras = predict,
    };

    [Fact]
    public void Size_CpuBound_CamerasAreUsableCoresOverCoresPerCamera()
    {
        // 2 sessions x 1 thread can use both cores. Per camera: 0.05 decode + 5/s x 10 ms = 0.1 cores;
        // 80 % of 2 cores = 1.6 -> 16 cameras; 958 cameras -> 60 boxes.
        var row = SizingPlanner.Size(Inputs(), Decode, new InferenceCost("m.onnx", "2x1", 2, 1, 10, 9));

        Assert.Equal(0.1, row.CoresPerCamera, 9);
        Assert.Equal(16, row.CamerasPerBox);
        Assert.Equal("cpu", row.Limit);
        Assert.Equal(60, row.Boxes);
    }

    [Fact]
    public void Size_OneSessionOneThread_InferenceCappedAtOneCore()
    {
        // 40 ms per detection x 5/s = 0.2 cores per camera of inference; one 1-thread session gets at most 80 % of
        // one core -> 4 cameras, although the CPU (0.25 cores per camera, 1.6 usable) would take 6.
        var row = SizingPlanner.Size(Inputs(), Decode, new InferenceCost("m.onnx", "1x1", 1, 1, 40, 38));

        Assert.Equal(4, row.CamerasPerBox);
        Assert.Equal("layout", row.Limit);
        Assert.Equal(240, row.Boxes);
    }

    [Fact]
    public void Size_DetectionRateAboveStreamRate_CappedAtStreamRate()
    {
        var row = SizingPlanner.Size(Inputs(fps: 25), Decode, new InferenceCost("m.onnx", "2x1", 2, 1, 10, 9));

        Assert.Equal(10, row.DetectionsPerCamera);
        Assert.Equal(0.05 + 0.1, row.CoresPerCamera, 9);
    }

    [Fact]
    public void Size_NotOneCameraFits_BoxesIsNull()
    {
        var row = SizingPlanner.Size(Inputs(cores: 1, headroom: 0.9), Decode, new InferenceCost("m.onnx", "1x1", 1, 1, 400, 400));

        Assert.Equal(0, row.CamerasPerBox);
        Assert.Null(row.Boxes);
    }

    [Fact]
    public void Predict_WithinCapacity_AddsUpDecodeAndDetection()
    {
        var p = SizingPlanner.Predict(Inputs(), Decode, new InferenceCost("m.onnx", "2x1", 2, 1, 10, 9), cameras: 4);

        Assert.Equal(0.4, p.Cores, 9);
        Assert.Equal(0.2, p.CpuFraction, 9);
        Assert.Equal(20, p.DetectionsPerSecond, 9);
        Assert.False(p.Saturated);
    }

    [Fact]
    public void Predict_BeyondCapacity_DetectionGetsWhatDecodingLeaves()
    {
        // 30 cameras decode 1.5 cores whatever happens; 0.5 cores left at 10 ms per detection = 50/s of the
        // 150/s wanted, and the box is full.
        var p = SizingPlanner.Predict(Inputs(), Decode, new InferenceCost("m.onnx", "2x1", 2, 1, 10, 9), cameras: 30);

        Assert.Equal(50, p.DetectionsPerSecond, 9);
        Assert.Equal(2, p.Cores, 9);
        Assert.True(p.Saturated);
    }

    [Fact]
    public void Size_WithPrediction_CarriesIt()
    {
        var row = SizingPlanner.Size(Inputs(predict: 3), Decode, new InferenceCost("m.onnx", "2x1", 2, 1, 10, 9));

        Assert.Equal(3, row.Prediction!.Cameras);
        Assert.Equal(0.3, row.Prediction.Cores, 9);
    }
}

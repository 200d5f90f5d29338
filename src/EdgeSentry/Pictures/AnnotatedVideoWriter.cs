using OpenCvSharp;

namespace EdgeSentry.Pictures;

/// <summary>
/// Writes annotated frames to an MP4 with OpenCV's VideoWriter (the FFMPEG backend built into the runtime
/// package). H.264 (avc1) plays everywhere but needs an encoder that OpenCV's bundled FFmpeg may lack, so
/// the writer tries avc1 first and falls back to MPEG-4 Part 2 (mp4v), saying which it used.
/// </summary>
public sealed class AnnotatedVideoWriter : IDisposable
{
    private static readonly (string FourCc, string Description)[] Codecs =
    [
        ("avc1", "H.264 (avc1)"),
        ("mp4v", "MPEG-4 Part 2 (mp4v)"),
    ];

    private readonly VideoWriter _writer;
    private readonly int _width;
    private readonly int _height;

    private AnnotatedVideoWriter(VideoWriter writer, string codec, int width, int height)
    {
        _writer = writer;
        Codec = codec;
        _width = width;
        _height = height;
    }

    /// <summary>The codec the file is written with, e.g. "MPEG-4 Part 2 (mp4v)".</summary>
    public string Codec { get; }

    /// <summary>Codecs tried and not available, in order (empty when the first one worked).</summary>
    public IReadOnlyList<string> Unavailable { get; private init; } = [];

    public static AnnotatedVideoWriter Open(string path, double framesPerSecond, int width, int height)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var failed = new List<string>();
        foreach (var (fourCc, description) in Codecs)
        {
            var writer = new VideoWriter(path, VideoCaptureAPIs.FFMPEG, FourCC.FromString(fourCc), framesPerSecond, new Size(width, height), isColor: true);
            if (writer.IsOpened())
            {
                return new AnnotatedVideoWriter(writer, description, width, height) { Unavailable = failed };
            }

            writer.Dispose();
            failed.Add(description);
        }

        throw new InvalidOperationException(
            $"OpenCV's FFMPEG backend could not open {path} for writing with any of {string.Join(", ", failed)}; write .jpg frames instead");
    }

    public void Write(Mat frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (frame.Width != _width || frame.Height != _height)
        {
            // VideoWriter silently drops frames of another size; fail loudly instead.
            throw new ArgumentException($"frame {frame.Width}x{frame.Height} does not match the video's {_width}x{_height}", nameof(frame));
        }

        _writer.Write(frame);
    }

    /// <summary>Finishes the file (writes the MP4 index); Dispose does the same.</summary>
    public void Finish() => _writer.Release();

    public void Dispose() => _writer.Dispose();
}

using System.Globalization;
using EdgeSentry.Capture;
using EdgeSentry.Pictures;

namespace EdgeSentry.Benchmarking;

/// <summary>
/// Keeps, per clip, a copy of the frame with the most detections seen so far (copied only when a new maximum
/// appears, so the workers rarely pay for it) and renders them as annotated JPEGs after the run.
/// </summary>
internal sealed class SampleFrames
{
    private readonly IReadOnlyList<ClipSource> _clips;
    private readonly IReadOnlyList<string> _labels;
    private readonly byte[]?[] _pixels;
    private readonly Detection.Detection[][] _detections;
    private readonly int[] _counts;
    private readonly long[] _sequences;

    public SampleFrames(IReadOnlyList<ClipSource> clips, IReadOnlyList<string> labels)
    {
        _clips = clips;
        _labels = labels;
        _pixels = new byte[clips.Count][];
        _detections = clips.Select(_ => Array.Empty<Detection.Detection>()).ToArray();
        _counts = Enumerable.Repeat(-1, clips.Count).ToArray();
        _sequences = new long[clips.Count];
    }

    public void Offer(int clip, Frame frame, ReadOnlySpan<Detection.Detection> found)
    {
        if (found.Length <= Volatile.Read(ref _counts[clip]))
        {
            return;
        }

        lock (_pixels)
        {
            if (found.Length <= _counts[clip])
            {
                return;
            }

            var buffer = _pixels[clip] ??= new byte[frame.ByteLength];
            frame.Pixels.CopyTo(buffer);
            _detections[clip] = found.ToArray();
            _sequences[clip] = frame.Sequence;
            Volatile.Write(ref _counts[clip], found.Length);
        }
    }

    /// <summary>Writes one JPEG per clip into <paramref name="directory"/>/samples; returns the paths relative to it.</summary>
    public IReadOnlyList<string> Write(string directory, string modelName)
    {
        var written = new List<string>();
        string folder = Path.Combine(directory, "samples");
        Directory.CreateDirectory(folder);
        using var renderer = new SnapshotRenderer(quality: 85);
        for (int c = 0; c < _clips.Count; c++)
        {
            if (_pixels[c] is not { } buffer)
            {
                continue;
            }

            var info = _clips[c].Info;
            var boxes = _detections[c].Select(d => new OverlayBox(
                d.Box,
                d.ClassId,
                string.Create(CultureInfo.InvariantCulture, $"{_labels[d.ClassId]} {d.Score:0.00}"))).ToArray();
            byte[]? jpeg = renderer.RenderJpeg(new BgrImage(buffer, info.Width, info.Height), new SceneOverlay { Boxes = boxes });
            if (jpeg is null)
            {
                // Without OpenCV's native library there are no pictures; the figures in the report stand on their own.
                continue;
            }

            string file = string.Create(CultureInfo.InvariantCulture, $"{modelName}_{Path.GetFileNameWithoutExtension(_clips[c].Name)}_f{_sequences[c]}.jpg");
            File.WriteAllBytes(Path.Combine(folder, file), jpeg);
            written.Add("samples/" + file);
        }

        return written;
    }
}

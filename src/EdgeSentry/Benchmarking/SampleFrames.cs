using System.Globalization;
using EdgeSentry.Alerts;
using EdgeSentry.Capture;

namespace EdgeSentry.Benchmarking;

/// <summary>
/// Keeps, per clip, a copy of the frame with the most detections seen so far (copied only when a new maximum
/// appears, so the workers rarely pay for it) and renders them as annotated JPEGs after the run.
/// </summary>
internal sealed class SampleFrames
{
    private readonly IReadOnlyList<ClipSource> clips;
    private readonly IReadOnlyList<string> labels;
    private readonly byte[]?[] pixels;
    private readonly Detection.Detection[][] detections;
    private readonly int[] counts;
    private readonly long[] sequences;

    public SampleFrames(IReadOnlyList<ClipSource> clips, IReadOnlyList<string> labels)
    {
        this.clips = clips;
        this.labels = labels;
        pixels = new byte[clips.Count][];
        detections = clips.Select(_ => Array.Empty<Detection.Detection>()).ToArray();
        counts = Enumerable.Repeat(-1, clips.Count).ToArray();
        sequences = new long[clips.Count];
    }

    public void Offer(int clip, Frame frame, ReadOnlySpan<Detection.Detection> found)
    {
        if (found.Length <= Volatile.Read(ref counts[clip]))
        {
            return;
        }

        lock (pixels)
        {
            if (found.Length <= counts[clip])
            {
                return;
            }

            var buffer = pixels[clip] ??= new byte[frame.ByteLength];
            frame.Pixels.CopyTo(buffer);
            detections[clip] = found.ToArray();
            sequences[clip] = frame.Sequence;
            Volatile.Write(ref counts[clip], found.Length);
        }
    }

    /// <summary>Writes one JPEG per clip into <paramref name="directory"/>/samples; returns the paths relative to it.</summary>
    public IReadOnlyList<string> Write(string directory, string modelName)
    {
        var written = new List<string>();
        string folder = Path.Combine(directory, "samples");
        Directory.CreateDirectory(folder);
        for (int c = 0; c < clips.Count; c++)
        {
            if (pixels[c] is not { } buffer)
            {
                continue;
            }

            var info = clips[c].Info;
            using var renderer = new SnapshotRenderer(info.Width, info.Height, quality: 85, thickness: 2);
            var boxes = detections[c].Select(d => new SnapshotBox(
                d.Box,
                d.ClassId == 0 ? BgrColor.Green : BgrColor.Cyan,
                string.Create(CultureInfo.InvariantCulture, $"{labels[d.ClassId]} {d.Score:0.00}"))).ToArray();
            var jpeg = renderer.RenderJpeg(new BgrImage(buffer, info.Width, info.Height), boxes, [], BgrColor.Yellow);
            string file = string.Create(CultureInfo.InvariantCulture, $"{modelName}_{Path.GetFileNameWithoutExtension(clips[c].Name)}_f{sequences[c]}.jpg");
            File.WriteAllBytes(Path.Combine(folder, file), jpeg.ToArray());
            written.Add("samples/" + file);
        }

        return written;
    }
}

using System.Runtime.InteropServices;
using EdgeSentry.Alerts;
using EdgeSentry.Capture;
using OpenCvSharp;

namespace EdgeSentry.Pictures;

/// <summary>
/// Draws a <see cref="SceneOverlay"/> on a copy of a frame, at the frame's own decoded size whatever it is,
/// and encodes it as JPEG. The frame is wrapped as a Mat over its own (pooled, pinned) memory and copied once
/// into the renderer's canvas, which is reused while the size stays the same. Without OpenCV's native library
/// (see <see cref="PictureSupport"/>) every render returns null: the alert goes out without a picture.
/// Not thread safe: one renderer per caller, or a lock around it.
/// </summary>
public sealed class SnapshotRenderer : IDisposable
{
    private readonly int _quality;
    private Mat? _canvas;

    public SnapshotRenderer(int quality = 80)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
        _quality = quality;
    }

    public static bool IsAvailable => PictureSupport.IsAvailable;

    /// <summary>The snapshot that travels with an alert, or null when pictures are unavailable on this box.</summary>
    public IncidentSnapshot? Render(BgrImage frame, SceneOverlay overlay) =>
        RenderJpeg(frame, overlay) is { } jpeg
            ? new IncidentSnapshot { Width = frame.Width, Height = frame.Height, Data = jpeg }
            : null;

    /// <summary>The annotated frame as JPEG bytes, or null when pictures are unavailable on this box.</summary>
    public byte[]? RenderJpeg(BgrImage frame, SceneOverlay overlay) =>
        IsAvailable ? JpegEncoder.Encode(Annotate(frame, overlay), _quality) : null;

    /// <summary>
    /// Copies the frame into the canvas and draws on it; the returned Mat belongs to the renderer and is valid
    /// until the next call. Throws when pictures are unavailable (callers that can do without check first).
    /// </summary>
    public Mat Annotate(BgrImage frame, SceneOverlay overlay)
    {
        ArgumentNullException.ThrowIfNull(overlay);
        _canvas ??= new Mat();
        // Create is a no-op while the size and type stay the same, so a steady stream reuses one buffer.
        _canvas.Create(frame.Height, frame.Width, MatType.CV_8UC3);
        CopyInto(frame, _canvas);
        FrameAnnotator.Draw(_canvas, overlay);
        return _canvas;
    }

    /// <summary>Copies a borrowed BGR frame (any stride) into <paramref name="target"/> without an intermediate array.</summary>
    public static unsafe void CopyInto(BgrImage frame, Mat target)
    {
        ArgumentNullException.ThrowIfNull(target);
        // The header only borrows the frame's memory for the copy: fixed keeps unpinned test arrays still too.
        fixed (byte* pixels = &MemoryMarshal.GetReference(frame.Pixels))
        {
            using var source = Mat.FromPixelData(frame.Height, frame.Width, MatType.CV_8UC3, (IntPtr)pixels, frame.Stride);
            source.CopyTo(target);
        }
    }

    public void Dispose() => _canvas?.Dispose();
}

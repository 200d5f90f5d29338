using System.Runtime.InteropServices;

namespace EdgeSentry.Detection;

/// <summary>
/// One detected object. A blittable value so detections live in preallocated spans on the hot path;
/// the label text comes from the model's label table by <see cref="ClassId"/>.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct Detection(int ClassId, float Score, BoundingBox Box);

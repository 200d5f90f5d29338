using System.Globalization;

namespace EdgeSentry.Capture;

/// <summary>
/// Builds ffmpeg command lines (STACK.md §C has the measured cost of each flag).
/// </summary>
public static class FfmpegArguments
{
    public static void AddInputOptions(IList<string> args, CameraInput input, bool forProbe = false)
    {
        if (input.IsRtsp)
        {
            args.Add("-rtsp_transport");
            args.Add(input.Transport == RtspTransport.Udp ? "udp" : "tcp");
        }

        if (input.IsLive)
        {
            // Socket I/O timeout in microseconds. ffmpeg retries it on a hung server, so the service's own
            // watchdog still has to catch stalls.
            args.Add("-timeout");
            args.Add(((long)input.SocketTimeout.TotalMicroseconds).ToString(CultureInfo.InvariantCulture));
        }

        if (forProbe)
        {
            return;
        }

        if (input.IsLive)
        {
            // Low latency: don't buffer ahead of the freshest frame.
            args.Add("-fflags");
            args.Add("nobuffer");
            args.Add("-flags");
            args.Add("low_delay");
        }
        else
        {
            if (input.Realtime)
            {
                args.Add("-re");
            }

            if (input.Loop)
            {
                args.Add("-stream_loop");
                args.Add("-1");
            }
        }

        foreach (var a in input.ExtraInputArguments)
        {
            args.Add(a);
        }
    }

    /// <summary>The full decoder command: raw BGR24 frames of <paramref name="outWidth"/> x <paramref name="outHeight"/> on stdout.</summary>
    public static List<string> Decoder(CameraInput input, VideoInfo source, int outWidth, int outHeight, double? maxFps)
    {
        var args = new List<string> { "-hide_banner", "-nostdin", "-loglevel", "error", "-threads", "1" };
        AddInputOptions(args, input);
        args.Add("-i");
        args.Add(input.Location);
        args.Add("-an");
        args.Add("-sn");
        var filters = new List<string>();
        if (maxFps is > 0)
        {
            // fps= only saves the scaling of dropped frames; decoding still runs for every frame.
            filters.Add("fps=" + maxFps.Value.ToString("0.###", CultureInfo.InvariantCulture));
        }

        // Always an explicit output size: the frame pool's buffers are that size even if a reconnected stream
        // comes back at another resolution. At the source size it is the same swscale pass that converts
        // to BGR anyway. Pre-shrinking only: the model-input resize happens in process with the kernel the
        // model was trained with; area averaging keeps small objects' edges for that second resize.
        filters.Add(outWidth != source.Width || outHeight != source.Height
            ? $"scale={outWidth}:{outHeight}:flags=area"
            : $"scale={outWidth}:{outHeight}");

        if (filters.Count > 0)
        {
            args.Add("-vf");
            args.Add(string.Join(',', filters));
        }

        // Passthrough: one output frame per decoded frame, no duplicates invented to fill a constant rate.
        args.Add("-fps_mode");
        args.Add("passthrough");
        args.Add("-f");
        args.Add("rawvideo");
        args.Add("-pix_fmt");
        args.Add("bgr24");
        args.Add("pipe:1");
        return args;
    }

    /// <summary>
    /// The decode size: the source size, or shrunk to <paramref name="maxWidth"/> keeping the aspect ratio,
    /// but never below <paramref name="minLongSide"/> on the longer side (about twice the model input, so the
    /// in-process resize still has detail to work with). Even numbers, as the scalers prefer.
    /// </summary>
    public static (int Width, int Height) DecodeSize(int srcWidth, int srcHeight, int? maxWidth, int minLongSide)
    {
        if (maxWidth is not { } mw || mw >= srcWidth)
        {
            return (srcWidth, srcHeight);
        }

        double scale = (double)mw / srcWidth;
        int longSide = Math.Max(srcWidth, srcHeight);
        if (longSide * scale < minLongSide)
        {
            scale = Math.Min(1.0, (double)minLongSide / longSide);
        }

        int w = Math.Max(2, (int)Math.Round(srcWidth * scale / 2) * 2);
        int h = Math.Max(2, (int)Math.Round(srcHeight * scale / 2) * 2);
        return (Math.Min(w, srcWidth), Math.Min(h, srcHeight));
    }
}

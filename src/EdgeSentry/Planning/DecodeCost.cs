namespace EdgeSentry.Planning;

/// <summary>
/// What one camera's decoder costs, measured the way the service decodes (one ffmpeg per camera, the service's
/// own arguments, frames read from the pipe): CPU seconds per second of video, i.e. cores per camera.
/// </summary>
/// <param name="Clip">The footage file measured (re-encoded to <paramref name="Stream"/> when one was asked for).</param>
/// <param name="Stream">The stream as the decoder receives it.</param>
/// <param name="OutputFramesPerSecond">Frames per second handed on (the ffmpeg fps filter at the detection rate).</param>
/// <param name="VideoSeconds">Seconds of video decoded.</param>
/// <param name="FramesRead">Frames read from ffmpeg's stdout.</param>
/// <param name="DecoderCpuSeconds">ffmpeg's user + system CPU (its rusage once reaped), not wall time.</param>
/// <param name="ReaderCpuSeconds">CPU of the thread that read the pipe (the service has one such reader thread per camera).</param>
public sealed record DecodeCost(
    string Clip,
    StreamFormat Stream,
    double OutputFramesPerSecond,
    double VideoSeconds,
    long FramesRead,
    double DecoderCpuSeconds,
    double ReaderCpuSeconds)
{
    /// <summary>Cores one camera's decoding keeps busy in real time.</summary>
    public double CoresPerCamera => VideoSeconds > 0 ? (DecoderCpuSeconds + ReaderCpuSeconds) / VideoSeconds : 0;
}

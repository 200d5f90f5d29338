using System.Net.Sockets;

namespace EdgeSentry.Capture;

public enum RtspTransport
{
    Tcp,
    Udp,
}

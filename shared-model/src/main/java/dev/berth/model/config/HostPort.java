package dev.berth.model.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Optional;
import java.util.regex.Pattern;

/** An address and port as flags give them ({@code 10.0.0.5:4647}, or a bare host taking the default port). */
public record HostPort(String host, int port) {
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,252})");

    /** Null when {@code s} is neither {@code host} nor {@code host:port}. */
    public static HostPort parse(String s, int defaultPort) {
        if (s == null || s.isBlank()) return null;
        int colon = s.lastIndexOf(':');
        String host = colon < 0 ? s : s.substring(0, colon);
        if (!HOST.matcher(host).matches()) return null;
        if (colon < 0) return new HostPort(host, defaultPort);
        try {
            int port = Integer.parseInt(s.substring(colon + 1));
            return port < 1 || port > 65535 ? null : new HostPort(host, port);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    public static boolean isIpv4(String s) {
        return s != null && IPV4.matcher(s).matches();
    }

    /**
     * What a component tells others to reach it at: {@code advertise} when given, else the bind
     * address, else (bound to every address) the host's first non-loopback IPv4 address.
     */
    public static String advertised(String bind, String advertise) {
        if (advertise != null) return advertise;
        if (!"0.0.0.0".equals(bind)) return bind;
        return firstNonLoopback().orElse("127.0.0.1");
    }

    static Optional<String> firstNonLoopback() {
        try {
            return NetworkInterface.networkInterfaces().filter(HostPort::upAndNotLoopback)
                    .flatMap(NetworkInterface::inetAddresses)
                    .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress())
                    .map(InetAddress::getHostAddress).findFirst();
        } catch (SocketException e) {
            return Optional.empty();
        }
    }

    private static boolean upAndNotLoopback(NetworkInterface i) {
        try {
            return i.isUp() && !i.isLoopback();
        } catch (SocketException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}

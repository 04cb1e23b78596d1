package dev.berth.model.net;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IPv4 subnet such as {@code 10.210.0.0/16}: its first host address is the bridge (the gateway). */
public record Subnet(int network, int prefix) {
    public Subnet {
        if (prefix < 8 || prefix > 30) throw new IllegalArgumentException("prefix /" + prefix + " must be between /8 and /30");
        network &= mask(prefix);
    }

    /** Parses {@code a.b.c.d/n}; the message names what is wrong. */
    public static Subnet parse(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0) throw new IllegalArgumentException("\"" + cidr + "\" is not a subnet like 10.210.0.0/16");
        int prefix;
        try {
            prefix = Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + cidr + "\" has no prefix length after the /");
        }
        String[] parts = cidr.substring(0, slash).split("\\.", -1);
        if (parts.length != 4) throw new IllegalArgumentException("\"" + cidr + "\" is not an IPv4 subnet");
        int n = 0;
        for (String p : parts) {
            int v;
            try {
                v = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                v = -1;
            }
            if (v < 0 || v > 255) throw new IllegalArgumentException("\"" + cidr + "\" is not an IPv4 subnet");
            n = n << 8 | v;
        }
        return new Subnet(n, prefix);
    }

    public static int mask(int prefix) {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    /** Host addresses, the gateway included: 2^(32-prefix) - 2. */
    public int hosts() {
        return (1 << (32 - prefix)) - 2;
    }

    /** The n-th host address (0 is the gateway). */
    public int host(int n) {
        return network + 1 + n;
    }

    public Inet4Address gateway() {
        return address(host(0));
    }

    public boolean contains(int address) {
        return (address & mask(prefix)) == network;
    }

    public boolean overlaps(int otherNetwork, int otherPrefix) {
        int p = Math.min(prefix, otherPrefix);
        return (network & mask(p)) == (otherNetwork & mask(p));
    }

    public static int toInt(Inet4Address a) {
        byte[] b = a.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    public static Inet4Address address(int v) {
        try {
            return (Inet4Address) InetAddress.getByAddress(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return address(network).getHostAddress() + "/" + prefix;
    }
}

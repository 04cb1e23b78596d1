package dev.berth.executor.network;

import dev.berth.model.net.Subnet;
import java.io.IOException;
import java.net.Inet4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Hands out the node's container addresses: one per container, never twice at once, taken back
 * when it ends. Next-fit from the last address given, so a freed address is not reused at once
 * (peers' ARP caches forget it meanwhile). The table is written to disk (atomically) on every
 * change, so an executor that restarts knows which addresses its earlier containers held and what
 * else (the host end of their veth) belonged to them.
 */
public final class Ipam {
    /** What one container holds. */
    public record Lease(String owner, Inet4Address address, String hostVeth) {
    }

    private final Subnet subnet;
    private final Path file;
    private final BitSet used = new BitSet();
    private final Map<String, Lease> leases = new LinkedHashMap<>();
    private int next = 1;

    public Ipam(Subnet subnet, Path file) throws IOException {
        this.subnet = subnet;
        this.file = file;
        used.set(0); // the gateway
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file)) {
                String[] f = line.split("\t");
                if (f.length < 3) continue;
                int a = Subnet.toInt((Inet4Address) java.net.InetAddress.getByName(f[1]));
                if (!subnet.contains(a)) continue; // the subnet changed: the old lease means nothing now
                used.set(a - subnet.host(0));
                leases.put(f[0], new Lease(f[0], Subnet.address(a), f[2]));
            }
        }
    }

    public synchronized Lease allocate(String owner, String hostVeth) throws IOException {
        if (leases.containsKey(owner)) throw new IllegalStateException(owner + " already holds " + leases.get(owner).address().getHostAddress());
        int n = subnet.hosts();
        int i = used.nextClearBit(next);
        if (i >= n) i = used.nextClearBit(1);
        if (i >= n) throw new IOException("no free address left in " + subnet + " (" + (n - 1) + " containers hold one each)");
        used.set(i);
        next = i + 1 >= n ? 1 : i + 1;
        var lease = new Lease(owner, Subnet.address(subnet.host(i)), hostVeth);
        leases.put(owner, lease);
        save();
        return lease;
    }

    public synchronized Optional<Lease> release(String owner) throws IOException {
        Lease l = leases.remove(owner);
        if (l == null) return Optional.empty();
        used.clear(Subnet.toInt(l.address()) - subnet.host(0));
        save();
        return Optional.of(l);
    }

    public synchronized Map<String, Lease> leases() {
        return Map.copyOf(leases);
    }

    private void save() throws IOException {
        var sb = new StringBuilder();
        for (Lease l : leases.values()) sb.append(l.owner()).append('\t').append(l.address().getHostAddress()).append('\t').append(l.hostVeth()).append('\n');
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, sb);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}

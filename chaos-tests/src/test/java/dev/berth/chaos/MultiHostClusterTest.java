package dev.berth.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Three {@code berth scheduler} and two {@code berth executor} processes, each on its own host (a
 * network namespace on a test switch): work spreads over both nodes, the leader's kill -9 loses no
 * job, and an executor's kill -9 has its service placed again on the other node.
 */
class MultiHostClusterTest {
    static final String NODE_TTL = "5s";
    /** After the TTL: the sweep (≤ 1 s), the reschedule delay (1 s), a placement pass (≤ 1 s) and a container start. */
    static final Duration AFTER_TTL_BOUND = Duration.ofSeconds(10);

    ChaosCluster cluster;
    boolean passed;

    @AfterEach
    void down(TestInfo info) throws Exception {
        if (cluster == null) return;
        if (!passed) {
            System.out.println("processes' logs of " + info.getDisplayName() + ":" + cluster.logs());
            try {
                System.out.println(cluster.history().table());
            } catch (Exception e) {
                System.out.println("(no history: " + e.getMessage() + ")");
            }
        }
        cluster.close();
    }

    @Test
    @DisplayName("3 schedulers and 2 executors as separate processes on their own hosts: spread, leader kill -9, executor kill -9")
    void clusterOfHosts() throws Exception {
        cluster = new ChaosCluster(3);
        long t0 = System.nanoTime();
        for (int i = 1; i <= 3; i++) cluster.startScheduler(i, NODE_TTL);
        cluster.startExecutor(1);
        cluster.startExecutor(2);
        String api1 = cluster.api(1);
        await("both nodes ready on member 1").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> readyNodes(api1).size() == 2);
        await("a leader").atMost(Duration.ofSeconds(60)).until(() -> leader() > 0);
        System.out.printf("cluster of 5 processes up in %.1f s%n", (System.nanoTime() - t0) / 1e9);

        // the members formed their cluster through their guards; no one else reaches the Hazelcast or bus ports, the API stays open
        assertThat(cluster.tables("s1")).contains("berth_members_5701");
        assertThat(cluster.connectsFrom("e1", ChaosCluster.schedulerAddress(1), 5701)).as("an executor's host to Hazelcast").isFalse();
        assertThat(cluster.connectsFrom("e1", ChaosCluster.schedulerAddress(1), 5702)).as("an executor's host to the bus").isFalse();
        assertThat(cluster.connectsFrom("e1", ChaosCluster.schedulerAddress(1), ChaosCluster.API)).as("an executor's host to the API").isTrue();
        assertThat(cluster.connectsFrom("s2", ChaosCluster.schedulerAddress(1), 5701)).as("a member to Hazelcast").isTrue();

        // every node shows the address it advertised, in the API and in `berth node list`
        var nodes = new JsonArray(cluster.get(api1, "/v1/nodes"));
        assertThat(nodes.stream().map(n -> ((JsonObject) n).getString("id") + "@" + ((JsonObject) n).getString("address")))
                .containsExactlyInAnyOrder("e1@10.213.0.11", "e2@10.213.0.12");
        String list = cluster.cli("node", "list", "--address", api1);
        assertThat(list).contains("10.213.0.11").contains("10.213.0.12");

        // a spread job of four runs on both executors and completes
        String spread = cluster.submit(api1, """
                {"name": "spread", "groups": [{"count": 4, "scoring": "spread", "tasks": [{"image": "busybox",
                  "resources": {"cpu": "100m", "memory": "32Mi"}, "command": ["sh", "-c", "sleep 1; echo done"]}]}]}""");
        await("the spread job completes").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> cluster.job(api1, spread).getString("status").equals("complete"));
        var placed = cluster.allocations(api1, spread).stream().map(a -> ((JsonObject) a).getString("nodeId")).toList();
        assertThat(placed).hasSize(4).contains("e1", "e2");

        // kill -9 of the leader: a job submitted to another member completes, and every earlier job is there
        int leader = leader();
        long oldEpoch = cluster.health(leader).getLong("epoch");
        int other = IntStream.rangeClosed(1, 3).filter(i -> i != leader).findFirst().orElseThrow();
        // the API keeps answering on the other members throughout: a reader polls them, counting failures
        var probe = new ApiProbe(cluster, IntStream.rangeClosed(1, 3).filter(i -> i != leader).mapToObj(cluster::api).toList()).start();
        cluster.kill("s" + leader);
        long killed = System.nanoTime();
        String apiOther = cluster.api(other);
        String after = cluster.submit(apiOther, """
                {"name": "after-leader", "groups": [{"tasks": [{"image": "busybox", "command": ["echo", "new leader"]}]}]}""");
        await("a job submitted after the leader's kill completes").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> cluster.job(apiOther, after).getString("status").equals("complete"));
        System.out.printf("leader s%d killed: a new job completed %.1f s later%n", leader, (System.nanoTime() - killed) / 1e9);
        await("a new leader").atMost(Duration.ofSeconds(30)).until(() -> leader() > 0);
        System.out.printf("leader s%d killed: a new leader %.1f s later%n", leader, (System.nanoTime() - killed) / 1e9);
        var answered = probe.stop();
        System.out.printf("reads on the other members while the leader died: %s%n", answered);
        assertThat(answered.failed()).as("reads refused or unanswered on the surviving members: " + answered).isLessThanOrEqualTo(answered.total() / 20);
        int newLeader = leader();
        assertThat(newLeader).isNotEqualTo(leader);
        assertThat(cluster.health(newLeader).getLong("epoch")).isGreaterThan(oldEpoch);
        for (int i = 1; i <= 3; i++) {
            if (i == leader) continue;
            var jobs = new JsonArray(cluster.get(cluster.api(i), "/v1/jobs")).stream().map(j -> ((JsonObject) j).getString("id")).toList();
            assertThat(jobs).as("jobs on member %d", i).contains(spread, after);
            assertThat(cluster.job(cluster.api(i), spread).getString("status")).isEqualTo("complete");
        }

        // kill -9 of the executor running a service: the allocation is lost and runs again on the other node
        String service = cluster.submit(apiOther, """
                {"name": "svc", "type": "service", "groups": [{"reschedule": {"delay": "1s", "delayFunction": "constant"},
                  "tasks": [{"image": "busybox", "killTimeout": "1s", "command": ["sleep", "600"]}]}]}""");
        await("the service runs").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> cluster.job(apiOther, service).getString("status").equals("running"));
        var first = cluster.allocations(apiOther, service).getJsonObject(0);
        String victim = first.getString("nodeId");
        String survivor = victim.equals("e1") ? "e2" : "e1";
        cluster.kill(victim);
        long executorKilled = System.nanoTime();
        Duration bound = Duration.ofSeconds(5).plus(AFTER_TTL_BOUND);
        await("the service runs again on " + survivor + " within the node TTL plus " + AFTER_TTL_BOUND.toSeconds() + " s").atMost(bound).ignoreExceptions()
                .until(() -> {
                    var now = cluster.allocations(apiOther, service);
                    return now.size() == 2 && now.getJsonObject(1).getString("status").equals("running");
                });
        System.out.printf("executor %s killed: its service ran again on %s %.1f s later (node TTL %s)%n", victim, survivor,
                (System.nanoTime() - executorKilled) / 1e9, NODE_TTL);
        var now = cluster.allocations(apiOther, service);
        assertThat(now.getJsonObject(0).getString("status")).isEqualTo("lost");
        assertThat(now.getJsonObject(0).getString("reason")).isEqualTo("node " + victim + " stopped heartbeating");
        assertThat(now.getJsonObject(1).getString("nodeId")).isEqualTo(survivor);
        assertThat(now.getJsonObject(1).getString("previous")).isEqualTo(first.getString("id"));
        passed = true;
    }

    @ParameterizedTest(name = "network mode {0}")
    @ValueSource(strings = {"host-gw", "vxlan"})
    @DisplayName("a container on one executor's host reaches a container on the other's by its address; with --egress also a host"
            + " beyond the cluster, which sees the node's address; without it nothing else through its node; published TCP and UDP"
            + " ports answer other hosts in the kernel (the client's address kept) and the node's loopback through the relay;"
            + " all of it goes when the executors stop")
    void containersAcrossHosts(String mode) throws Exception {
        boolean vxlan = mode.equals("vxlan");
        cluster = new ChaosCluster(1);
        cluster.startScheduler(1, NODE_TTL);
        var outsider = cluster.startOutsider();
        // neither executor has a subnet of its own: the leader leases each a /24 of the container range
        cluster.leasedSubnets = true;
        cluster.startExecutor(1, 1, List.of("--egress", "--network-mode", mode));
        // e2 may mount the host's python (busybox serves no UDP)
        var e2Flags = List.of("--network-mode", mode, "--allow-volume", "/usr", "--allow-volume", "/lib", "--allow-volume", "/lib64");
        cluster.startExecutor(2, 1, e2Flags);
        String api = cluster.api(1);
        await("both nodes ready").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> readyNodes(api).size() == 2 && subnets(api).size() == 2);
        var subnets = subnets(api);
        String e1Subnet = subnets.get("e1"), e2Subnet = subnets.get("e2");
        assertThat(List.of(e1Subnet, e2Subnet)).doesNotHaveDuplicates().allMatch(c -> c.matches("10\\.210\\.\\d+\\.0/24"));
        // host-gw: each node routes to the other's container subnet through the other's address, marked as Berth's;
        // vxlan: through the other's VXLAN device (its subnet's first address, onlink), whose MAC is sent to the other's address
        String toE2 = vxlan ? e2Subnet + " via " + first(e2Subnet) + " dev berthvx-c1" : e2Subnet + " via 10.213.0.12";
        String toE1 = vxlan ? e1Subnet + " via " + first(e1Subnet) + " dev berthvx-c2" : e1Subnet + " via 10.213.0.11";
        await("routes on both hosts").atMost(Duration.ofSeconds(20)).ignoreExceptions()
                .until(() -> cluster.inHost("e1", "ip", "route", "show", "proto", "179").contains(toE2)
                        && cluster.inHost("e2", "ip", "route", "show", "proto", "179").contains(toE1));
        if (vxlan) {
            assertThat(cluster.inHost("e1", "ip", "-d", "link", "show", "berthvx-c1")).contains("vxlan id 4242 local 10.213.0.11", "dstport 4789", "nolearning");
            assertThat(cluster.inHost("e1", "bridge", "fdb", "show", "dev", "berthvx-c1")).contains("dst 10.213.0.12");
        }
        assertThat(cluster.inHost("e1", "cat", "/proc/sys/net/ipv4/ip_forward").strip()).isEqualTo("1");
        assertThat(cluster.inHost("e1", "nft", "list", "chain", "inet", "berth", "forward")).contains(e2Subnet);
        // a restarted node keeps its lease
        cluster.stop("e2", 30);
        cluster.startExecutor(2, 1, e2Flags);
        await("e2 back with its lease").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> cluster.processOutput("e2").contains("Bridge     berth-c2 (" + e2Subnet + ")"));
        assertThat(subnets(api).get("e2")).isEqualTo(e2Subnet);
        await("routes again on both").atMost(Duration.ofSeconds(20)).ignoreExceptions()
                .until(() -> cluster.inHost("e1", "ip", "route", "show", "proto", "179").contains(toE2)
                        && cluster.inHost("e2", "ip", "route", "show", "proto", "179").contains(toE1));

        // a web server whose CGI tells who asked, on a published port; and a UDP echo on another
        String server = cluster.submit(api, """
                {"name": "server", "type": "service", "groups": [{"constraints": [{"attribute": "${node.id}", "value": "e2"}],
                  "tasks": [{"name": "web", "image": "busybox", "resources": {"cpu": "100m", "memory": "32Mi"}, "killTimeout": "1s",
                  "network": {"ports": [{"name": "web", "to": 8080, "static": 18080}]},
                  "command": ["sh", "-c", "mkdir -p /www/cgi-bin && echo hello from e2 > /www/index.html && echo '#!/bin/sh' > /www/cgi-bin/peer && echo 'printf \\"Content-Type: text/plain\\\\r\\\\n\\\\r\\\\npeer $REMOTE_ADDR\\\\n\\"' >> /www/cgi-bin/peer && chmod +x /www/cgi-bin/peer && exec httpd -f -p 8080 -h /www"]},
                  {"name": "echo", "image": "busybox", "resources": {"cpu": "100m", "memory": "64Mi"}, "killTimeout": "1s",
                  "network": {"ports": [{"name": "echo", "to": 5353, "static": 15353, "protocol": "udp"}]},
                  "volumes": [{"source": "/usr", "target": "/usr", "readOnly": true}, {"source": "/lib", "target": "/lib", "readOnly": true},
                              {"source": "/lib64", "target": "/lib64", "readOnly": true}],
                  "command": ["sh", "-c", "exec /usr/bin/python3 -c \\"$0\\"", "import socket\\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\\ns.bind(('0.0.0.0', 5353))\\nwhile True:\\n    d, a = s.recvfrom(2048)\\n    s.sendto(b'echo ' + d + b' from ' + a[0].encode(), a)"]}]}]}""");
        await("the server runs on e2").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> cluster.allocations(api, server).stream().filter(a -> ((JsonObject) a).getString("status").equals("running")).count() == 2);
        String address = cluster.allocations(api, server).stream().map(a -> ((JsonObject) a).getJsonObject("network"))
                .filter(n -> n.getJsonArray("ports").getJsonObject(0).getString("name").equals("web")).findFirst().orElseThrow().getString("ip");
        assertThat(address).startsWith(e2Subnet.substring(0, e2Subnet.lastIndexOf('.') + 1));
        // on e1 (egress on): the other node's container by its address, and the outsider
        String viaE1 = run(api, "e1", "for i in 1 2 3 4 5; do wget -q -O - http://%s:8080/ && break; sleep 1; done; timeout 3 nc %s 9000 </dev/null"
                .formatted(address, ChaosCluster.OUTSIDER));
        assertThat(viaE1).contains("hello from e2").contains("hello from outside");
        // which saw the node's address, not the container's
        await("the outsider saw e1's address").atMost(Duration.ofSeconds(5)).until(() -> outsider.output().contains("peer 10.213.0.11"));
        assertThat(outsider.output()).doesNotContain("peer 10.210.");
        // on e2 (egress off): neither the outsider nor the scheduler's API (which the node's own host reaches) through its node
        String viaE2 = run(api, "e2", "for to in \"%s 9000\" \"%s %d\"; do timeout 3 nc $to </dev/null; [ $? = 1 ] && echo REFUSED || echo REACHED; done"
                .formatted(ChaosCluster.OUTSIDER, ChaosCluster.schedulerAddress(1), ChaosCluster.API));
        assertThat(viaE2).isEqualTo("REFUSED\nREFUSED\n");
        assertThat(cluster.connectsFrom("e2", ChaosCluster.OUTSIDER, 9000)).as("e2's host itself reaches the outsider").isTrue();
        assertThat(cluster.inHost("e1", "nft", "list", "chain", "inet", "berth", "postrouting")).contains("masquerade");
        assertThat(cluster.inHost("e2", "nft", "list", "table", "inet", "berth")).doesNotContain("masquerade");

        // published ports: from the outsider and from e1's host in the kernel (the container sees who asked), on e2's loopback through the relay
        assertThat(cluster.inHost("e2", "nft", "list", "chain", "inet", "berth", "prerouting")).contains("dnat ip to " + address + ":8080");
        await("the published port answers the outsider").atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> httpGet("x1", "10.213.0.12", "/cgi-bin/peer").contains(peer(ChaosCluster.OUTSIDER)));
        assertThat(httpGet("e1", "10.213.0.12", "/cgi-bin/peer")).contains(peer("10.213.0.11"));
        assertThat(httpGet("e2", "127.0.0.1", "/cgi-bin/peer")).as("the relay, from the bridge's address").contains(peer(first(e2Subnet).replaceFirst("\\.0$", ".1")));
        await("the published UDP port answers the outsider").atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> udpAsk("x1", "10.213.0.12", 15353, "ping").equals("echo ping from " + ChaosCluster.OUTSIDER));
        assertThat(udpAsk("e2", "127.0.0.1", 15353, "pong")).startsWith("echo pong from " + e2Subnet.substring(0, e2Subnet.lastIndexOf('.') + 1));

        var refused = cluster.delete(api, "/v1/nodes/e2");
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(refused.body()).contains("node e2 is ready: stop its executor first");

        cluster.stop("e1", 30);
        cluster.stop("e2", 30);
        // a node removed once it is down frees its block of the container range
        await("e2 down, its work ended").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> cluster.delete(api, "/v1/nodes/e2").statusCode() == 200);
        assertThat(subnets(api)).containsOnlyKeys("e1");
        // the first free block goes to the next new node: e2's, free again (e1's still held though e1 is down)
        cluster.startExecutor(3, 1, List.of("--network-mode", mode));
        await("a new node leases e2's block").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> e2Subnet.equals(subnets(api).get("e3")));
        cluster.stop("e3", 30);
        for (String host : List.of("e1", "e2", "e3")) {
            assertThat(cluster.inHost(host, "ip", "route", "show", "proto", "179")).as("Berth's routes on " + host).isBlank();
            assertThat(cluster.inHost(host, "cat", "/proc/sys/net/ipv4/ip_forward").strip()).as("forwarding on " + host).isEqualTo("0");
            assertThat(cluster.tables(host)).as("tables on " + host).doesNotContain("table inet berth\n");
            assertThat(cluster.inHost(host, "ip", "-o", "link", "show")).as("links on " + host).doesNotContain("berthvx", "berth-c");
        }
        passed = true;
    }

    /** What the CGI prints for a client at {@code address} (busybox's httpd listens on IPv6, so IPv4 clients are mapped). */
    private static String peer(String address) {
        return "peer [::ffff:" + address + "]\n";
    }

    /** A subnet's first address (a.b.c.0 of a.b.c.0/24). */
    private static String first(String cidr) {
        return cidr.substring(0, cidr.indexOf('/'));
    }

    /** An HTTP/1.0 GET from a test host, with busybox's nc; the whole answer. */
    private String httpGet(String host, String address, String path) throws Exception {
        return cluster.inHost(host, "sh", "-c", "printf 'GET %s HTTP/1.0\\r\\n\\r\\n' | timeout 5 busybox nc %s 18080".formatted(path, address));
    }

    /** One UDP datagram from a test host (the host's python) and its answer. */
    private String udpAsk(String host, String address, int port, String message) throws Exception {
        return cluster.inHost(host, "/usr/bin/python3", "-c", String.join("\n",
                "import socket",
                "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
                "s.settimeout(3)",
                "s.sendto(b'%s', ('%s', %d))".formatted(message, address, port),
                "print(s.recvfrom(2048)[0].decode(), end='')")).strip();
    }

    /** Each node's container subnet, as the API shows it. */
    private java.util.Map<String, String> subnets(String api) throws Exception {
        var out = new java.util.TreeMap<String, String>();
        for (Object n : new JsonArray(cluster.get(api, "/v1/nodes"))) {
            var node = (JsonObject) n;
            if (node.getString("subnet") != null) out.put(node.getString("id"), node.getString("subnet"));
        }
        return out;
    }

    /** A batch job of one busybox shell on {@code node}; its stdout once it completed. */
    private String run(String api, String node, String script) throws Exception {
        String job = cluster.submit(api, new JsonObject().put("name", "probe-" + node).put("groups", new JsonArray().add(new JsonObject()
                .put("constraints", new JsonArray().add(new JsonObject().put("attribute", "${node.id}").put("value", node)))
                .put("tasks", new JsonArray().add(new JsonObject().put("image", "busybox")
                        .put("resources", new JsonObject().put("cpu", "100m").put("memory", "32Mi"))
                        .put("command", new JsonArray().add("sh").add("-c").add(script)))))).encode());
        await("the probe on " + node + " completes").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> cluster.job(api, job).getString("status").equals("complete"));
        return cluster.get(api, "/v1/allocations/" + cluster.allocations(api, job).getJsonObject(0).getString("id") + "/logs");
    }

    @Test
    @DisplayName("a lone member beyond loopback guards its ports from its first moment and removes the guard when it stops")
    void memberGuardComesAndGoes() throws Exception {
        cluster = new ChaosCluster(1);
        var s1 = cluster.startScheduler(1, NODE_TTL);
        await("the member serves").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> cluster.health(1) != null);
        assertThat(cluster.tables("s1")).contains("table inet berth_members_5701");
        assertThat(s1.output()).contains("API       https://10.213.0.1:7070 (tokens on)").doesNotContain("WARNING");
        assertThat(cluster.connectsFrom("s1", ChaosCluster.schedulerAddress(1), 5701)).as("the member itself").isTrue();
        cluster.stop("s1", 30);
        assertThat(s1.output()).contains("stopped");
        assertThat(cluster.tables("s1")).doesNotContain("berth_members");
        passed = true;
    }

    @Test
    @DisplayName("a leader cut off from the other members stops leading within 5 s, one of the majority leads, the minority refuses writes"
            + " and sends its executor to the majority; healed, it merges back, and one copy of the service runs")
    void partitionedLeader() throws Exception {
        cluster = new ChaosCluster(3);
        for (int i = 1; i <= 3; i++) cluster.startScheduler(i, NODE_TTL);
        await("a leader").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> leader() > 0);
        int old = leader();
        // the worst case: the executor speaks to the member that will be cut off
        cluster.startExecutor(1, old);
        await("the node is ready, connected to the leader").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> readyNodes(cluster.api(old)).size() == 1 && cluster.health(old).getInteger("executors") == 1);
        long oldEpoch = cluster.health(old).getLong("epoch");
        // a service that must run once at a time, through the split and the heal
        String service = cluster.submit(cluster.api(old), """
                {"name": "once", "type": "service", "groups": [{"reschedule": {"delay": "1s", "delayFunction": "constant"},
                  "tasks": [{"image": "busybox", "killTimeout": "1s", "command": ["sleep", "600"]}]}]}""");
        await("the service runs").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> cluster.job(cluster.api(old), service).getString("status").equals("running"));
        var others = IntStream.rangeClosed(1, 3).filter(i -> i != old).boxed().toList();
        cluster.cut("s" + old, others.stream().map(ChaosCluster::schedulerAddress).toList());
        long cut = System.nanoTime();

        await("the cut leader stops leading").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> cluster.health(old) != null && !cluster.health(old).getBoolean("leading"));
        System.out.printf("cut leader s%d stopped leading %.1f s after the cut%n", old, (System.nanoTime() - cut) / 1e9);
        await("one of the majority leads").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> others.stream()
                .anyMatch(i -> cluster.health(i) != null && cluster.health(i).getBoolean("leading") && cluster.health(i).getLong("epoch") > oldEpoch));
        System.out.printf("a majority member led %.1f s after the cut%n", (System.nanoTime() - cut) / 1e9);
        await("the executor moves to a member of the majority").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> others.stream().anyMatch(i -> cluster.health(i) != null && cluster.health(i).getInteger("executors") == 1));
        System.out.printf("the executor was on a majority member %.1f s after the cut%n", (System.nanoTime() - cut) / 1e9);
        String majority = cluster.api(others.getFirst());
        String job = cluster.submit(majority, """
                {"name": "majority", "groups": [{"tasks": [{"image": "busybox", "command": ["echo", "majority"]}]}]}""");
        await("a job on the majority side completes").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> cluster.job(majority, job).getString("status").equals("complete"));

        String minority = cluster.api(old);
        await("the cut member refuses writes once it sees it is alone").atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofSeconds(1))
                .until(() -> cluster.trySubmit(minority, "{\"name\": \"minority\", \"groups\": [{\"tasks\": [{\"image\": \"busybox\"}]}]}").statusCode() == 503);
        var refused = cluster.trySubmit(minority, "{\"name\": \"minority\", \"groups\": [{\"tasks\": [{\"image\": \"busybox\"}]}]}");
        System.out.printf("the cut member answers a submission with %d: %s%n", refused.statusCode(), refused.body());
        assertThat(refused.body()).contains("cut off from the majority");
        assertThat(cluster.health(old).getBoolean("leading")).isFalse();
        cluster.heal("s" + old);
        long healed = System.nanoTime();
        await("the healed member merges back and serves the majority's state").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                .ignoreExceptions().until(() -> cluster.job(minority, job).getString("status").equals("complete")
                        && cluster.trySubmit(minority, "{\"name\": \"healed\", \"groups\": [{\"tasks\": [{\"image\": \"busybox\"}]}]}").statusCode() == 201);
        System.out.printf("s%d healed: back in the cluster, taking writes, %.1f s later%n", old, (System.nanoTime() - healed) / 1e9);
        // the node was on the cut member's side beyond the TTL, so its copy may have been replaced: one runs in the end, on every member's view
        for (int i = 1; i <= 3; i++) {
            int member = i;
            await("one running copy of the service on member " + i).atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> cluster.allocations(cluster.api(member), service).stream().map(a -> ((JsonObject) a).getString("status"))
                            .filter("running"::equals).count() == 1);
        }
        await("every replaced copy has ended on the node").atMost(Duration.ofSeconds(30))
                .until(() -> cluster.history().of(service).stream().filter(r -> r.ended() == null).count() == 1);
        var h = cluster.history();
        assertThat(h.completedTwice()).as(h.table()).isEmpty();
        assertThat(h.epochsWentBack()).as(h.table()).isEmpty();
        passed = true;
    }

    int leader() {
        return cluster.leader();
    }

    List<String> readyNodes(String api) throws Exception {
        return cluster.readyNodes(api);
    }
}

package dev.berth.scheduler.capacity;

import dev.berth.model.Node;
import dev.berth.model.NodeStatus;
import dev.berth.scheduler.placement.Candidate;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /metrics}: node and allocation gauges in Prometheus text through Micrometer, rebuilt from
 * the cluster state at each scrape (rows of gone nodes and allocations disappear).
 */
public final class Metrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, MultiGauge> gauges = new HashMap<>();

    private MultiGauge gauge(String name, String unit, String help) {
        return gauges.computeIfAbsent(name, n -> MultiGauge.builder(n).baseUnit(unit).description(help).register(registry));
    }

    public synchronized String scrape(Collection<Node> nodes, List<Candidate> candidates) {
        var byId = new HashMap<String, Candidate>();
        candidates.forEach(c -> byId.put(c.id(), c));
        var capCpu = new ArrayList<MultiGauge.Row<?>>();
        var allocCpu = new ArrayList<MultiGauge.Row<?>>();
        var usedCpu = new ArrayList<MultiGauge.Row<?>>();
        var capMem = new ArrayList<MultiGauge.Row<?>>();
        var allocMem = new ArrayList<MultiGauge.Row<?>>();
        var usedMem = new ArrayList<MultiGauge.Row<?>>();
        var up = new ArrayList<MultiGauge.Row<?>>();
        var allocationCpu = new ArrayList<MultiGauge.Row<?>>();
        var allocationMem = new ArrayList<MultiGauge.Row<?>>();
        for (Node n : nodes) {
            Tags t = Tags.of("node", n.id());
            up.add(MultiGauge.Row.of(t, n.status() == NodeStatus.DOWN ? 0 : 1));
            Candidate c = byId.get(n.id());
            capCpu.add(MultiGauge.Row.of(t, n.capacity().cpu().millicores() / 1000.0));
            capMem.add(MultiGauge.Row.of(t, n.capacity().memory().bytes()));
            if (c != null) {
                allocCpu.add(MultiGauge.Row.of(t, c.used().cpu().millicores() / 1000.0));
                allocMem.add(MultiGauge.Row.of(t, c.used().memory().bytes()));
            }
            if (n.usage() != null) {
                usedCpu.add(MultiGauge.Row.of(t, n.usage().cpu()));
                usedMem.add(MultiGauge.Row.of(t, n.usage().memory()));
                n.usage().allocations().forEach((id, a) -> {
                    Tags at = Tags.of("node", n.id(), "allocation", id);
                    allocationCpu.add(MultiGauge.Row.of(at, a.cpu()));
                    allocationMem.add(MultiGauge.Row.of(at, a.memory()));
                });
            }
        }
        gauge("berth.node.up", null, "1 while the node heartbeats").register(up, true);
        gauge("berth.node.cpu.capacity", "cores", "cpu the node offers").register(capCpu, true);
        gauge("berth.node.cpu.allocated", "cores", "cpu its placed allocations asked for").register(allocCpu, true);
        gauge("berth.node.cpu.used", "cores", "cpu busy on the host").register(usedCpu, true);
        gauge("berth.node.memory.capacity", "bytes", "memory the node offers").register(capMem, true);
        gauge("berth.node.memory.allocated", "bytes", "memory its placed allocations asked for").register(allocMem, true);
        gauge("berth.node.memory.used", "bytes", "memory in use on the host").register(usedMem, true);
        gauge("berth.allocation.cpu.usage", "cores", "cpu an allocation's container uses").register(allocationCpu, true);
        gauge("berth.allocation.memory.usage", "bytes", "working set of an allocation's container").register(allocationMem, true);
        return registry.scrape();
    }
}

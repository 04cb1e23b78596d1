package dev.berth.scheduler.placement;

import dev.berth.model.spec.Constraint;
import dev.berth.model.spec.IoLimits;
import dev.berth.model.spec.Resources;
import dev.berth.model.units.ByteSize;
import dev.berth.model.units.Cpu;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Nodes and asks for the placement core's tests, in a line each. */
final class Fixtures {
    private Fixtures() {
    }

    static Resources res(String cpu, String memory) {
        return Resources.of(Cpu.parse(cpu), ByteSize.parse(memory));
    }

    static Resources res(String cpu, String memory, long pids, Map<String, Long> extended) {
        return new Resources(Cpu.parse(cpu), ByteSize.parse(memory), pids, IoLimits.UNLIMITED, extended);
    }

    static Candidate node(String id, String cpu, String memory) {
        return Candidate.empty(id, res(cpu, memory), Map.of());
    }

    static Candidate node(String id, Resources capacity, Resources used) {
        return new Candidate(id, capacity, used, Set.of(), Map.of(), Map.of(), true);
    }

    static Candidate labelled(String id, Map<String, String> labels) {
        return Candidate.empty(id, res("4", "8Gi"), labels);
    }

    static Candidate withPorts(String id, Integer... ports) {
        return new Candidate(id, res("4", "8Gi"), Resources.NONE, Set.of(ports), Map.of(), Map.of(), true);
    }

    static Candidate draining(String id) {
        return new Candidate(id, res("4", "8Gi"), Resources.NONE, Set.of(), Map.of(), Map.of(), false);
    }

    static Ask ask(String key, int count, String cpu, String memory) {
        return Ask.of(key, count, res(cpu, memory));
    }

    static Ask withConstraint(Ask a, String attribute, String op, String value) {
        return new Ask(a.key(), a.count(), a.each(), a.staticPorts(), List.of(new Constraint(attribute, op, value)), a.spread());
    }

    static Ask withPorts(Ask a, Integer... ports) {
        return new Ask(a.key(), a.count(), a.each(), Set.of(ports), a.constraints(), a.spread());
    }

    static Ask spread(Ask a) {
        return new Ask(a.key(), a.count(), a.each(), a.staticPorts(), a.constraints(), true);
    }
}

package dev.berth.model.spec;

import dev.berth.model.units.ByteSize;
import dev.berth.model.units.Cpu;
import java.util.Map;
import java.util.TreeMap;

/** What a task asks for, or what a node has. {@code pids} 0 means no limit asked. */
public record Resources(Cpu cpu, ByteSize memory, long pids, IoLimits io, Map<String, Long> extended) {
    public static final Resources NONE = new Resources(Cpu.ZERO, ByteSize.ZERO, 0, IoLimits.UNLIMITED, Map.of());

    public Resources {
        extended = Map.copyOf(extended);
    }

    public static Resources of(Cpu cpu, ByteSize memory) {
        return new Resources(cpu, memory, 0, IoLimits.UNLIMITED, Map.of());
    }

    /** Sums the amounts that are shared out on a node (cpu, memory, pids, extended); io limits are per task. */
    public Resources plus(Resources o) {
        var ext = new TreeMap<>(extended);
        o.extended.forEach((k, v) -> ext.merge(k, v, Long::sum));
        return new Resources(cpu.plus(o.cpu), memory.plus(o.memory), pids + o.pids, IoLimits.UNLIMITED, ext);
    }
}

package dev.berth.model.spec;

import dev.berth.model.units.ByteSize;

/** Throttling on the device that holds the node's data; 0 means unlimited. */
public record IoLimits(ByteSize readBps, ByteSize writeBps, long readIops, long writeIops) {
    public static final IoLimits UNLIMITED = new IoLimits(ByteSize.ZERO, ByteSize.ZERO, 0, 0);
}

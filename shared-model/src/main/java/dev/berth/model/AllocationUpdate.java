package dev.berth.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * A status change of one allocation as its node saw it; {@code version} orders the updates of one
 * allocation. {@code network} comes with the running report of a task that has an address.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AllocationUpdate(String allocationId, String nodeId, AllocationStatus status, Integer exitCode,
                               Integer signal, String reason, long version, Instant at, AllocNetwork network) {
    public AllocationUpdate(String allocationId, String nodeId, AllocationStatus status, Integer exitCode,
                            Integer signal, String reason, long version, Instant at) {
        this(allocationId, nodeId, status, exitCode, signal, reason, version, at, null);
    }
}

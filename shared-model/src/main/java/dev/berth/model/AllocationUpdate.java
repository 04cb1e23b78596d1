package dev.berth.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * A status change of one allocation as its node saw it; {@code version} orders the updates of one
 * allocation. {@code network} comes with the running report of a task that has an address;
 * {@code accounting} with the report of a run's end, when the node could read its cgroup.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AllocationUpdate(String allocationId, String nodeId, AllocationStatus status, Integer exitCode,
                               Integer signal, String reason, long version, Instant at, AllocNetwork network, Accounting accounting) {
    public AllocationUpdate(String allocationId, String nodeId, AllocationStatus status, Integer exitCode,
                            Integer signal, String reason, long version, Instant at) {
        this(allocationId, nodeId, status, exitCode, signal, reason, version, at, null, null);
    }
}

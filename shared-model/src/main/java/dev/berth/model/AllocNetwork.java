package dev.berth.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * An allocation's network: its mode, its address on the node's bridge (known once the node
 * started it) and its published ports (chosen at placement).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AllocNetwork(String mode, String ip, List<PortMapping> ports) {
    public AllocNetwork {
        ports = ports == null ? List.of() : List.copyOf(ports);
    }
}

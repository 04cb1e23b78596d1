package dev.berth.model.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** A published port: host port {@code static} (or a dynamic one when null) forwards to container port {@code to}. */
public record PortSpec(String name, int to,
                       @JsonProperty("static") @JsonInclude(JsonInclude.Include.NON_NULL) Integer staticPort) {
}

package dev.berth.gateway.image;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** An entry of {@code DELETE /images/{name}}: one of the two is set. */
@JsonInclude(JsonInclude.Include.NON_NULL)
record ImageDeleteResponseItem(@JsonProperty("Untagged") String untagged, @JsonProperty("Deleted") String deleted) {
}

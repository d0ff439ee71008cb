package dev.berth.gateway.image;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code POST /auth}'s answer, swagger's AuthResponse (the CLI stores IdentityToken when one is given). */
record AuthResponse(@JsonProperty("Status") String status, @JsonProperty("IdentityToken") String identityToken) {
}

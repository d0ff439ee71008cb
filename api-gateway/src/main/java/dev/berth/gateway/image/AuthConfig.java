package dev.berth.gateway.image;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The body of {@code POST /auth}, as the CLI sends it: lower-case names, unlike most of the API. */
record AuthConfig(@JsonProperty("username") String username, @JsonProperty("password") String password,
		@JsonProperty("serveraddress") String serverAddress, @JsonProperty("identitytoken") String identityToken) {
}

package dev.berth.gateway.image;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The {@code aux} line after each pushed tag; the CLI prints the digest and content trust signs it. */
record PushResult(@JsonProperty("Tag") String tag, @JsonProperty("Digest") String digest,
		@JsonProperty("Size") long size) {
}

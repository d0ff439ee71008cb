package dev.berth.gateway;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;

/**
 * The gateway's channels to the services behind it: plaintext, because they listen on loopback
 * beside it, and with room for Docker's larger messages (a save chunk, an image config, a list of
 * many containers with their full JSON).
 */
public final class ServiceChannels {

	private static final int MAX_MESSAGE_SIZE = 16 * 1024 * 1024;

	private ServiceChannels() {
	}

	/** A channel to {@code host:port}; its owner shuts it down with {@code shutdownNow}, ending calls still running. */
	public static ManagedChannel open(String target) {
		return ManagedChannelBuilder.forTarget(target).usePlaintext().maxInboundMessageSize(MAX_MESSAGE_SIZE).build();
	}

}

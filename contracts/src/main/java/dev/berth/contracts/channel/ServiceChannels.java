package dev.berth.contracts.channel;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.inprocess.InProcessChannelBuilder;

/**
 * Channels from one Berth service to another. A target is either {@code host:port}, for services
 * in their own processes: plaintext, because they listen on loopback beside each other (across
 * machines the Helm chart adds mTLS); or {@code in-process:<name>}, for services that share one
 * process (berthd on one machine), where a call is a method call on the server's executor, with
 * no socket, HTTP/2 framing or serialization. Either way with room for Docker's larger messages
 * (a save chunk, an image config, a list of many containers with their full JSON).
 */
public final class ServiceChannels {

	/** The prefix of a target served in this process, as Spring gRPC's in-process server names it. */
	public static final String IN_PROCESS = "in-process:";

	private static final int MAX_MESSAGE_SIZE = 16 * 1024 * 1024;

	private ServiceChannels() {
	}

	/** A channel to {@code target}; its owner shuts it down with {@code shutdownNow}, ending calls still running. */
	public static ManagedChannel open(String target) {
		if (target.startsWith(IN_PROCESS)) {
			return InProcessChannelBuilder.forName(target.substring(IN_PROCESS.length()))
				.maxInboundMessageSize(MAX_MESSAGE_SIZE)
				.build();
		}
		return ManagedChannelBuilder.forTarget(target).usePlaintext().maxInboundMessageSize(MAX_MESSAGE_SIZE).build();
	}

}

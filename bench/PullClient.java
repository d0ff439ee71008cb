// Berth's side of bench/pull-bench.sh: "pull + unpack" of one image through berthd's gRPC services,
// as the engine will do it for `docker run` of an image it lacks.
//
//   java -cp <contracts jar and its gRPC deps> bench/PullClient.java <engine port> <agent port> <reference>
//
// Reads one line per run from stdin (a run name, e.g. "3" or "warmup") and answers each with one line:
//   run=<name> total=<s> pull=<s> download=<s> verify=<s> unpack=<s> bytes=<n> layers=<n>
// where, from the Pull call on:
//   download  until the engine reports the last layer complete ("Pull complete")
//   verify    from there to the Image message (engine-service checks every layer's diff ID)
//   pull      download + verify: the whole ImageService/Pull call
//   unpack    SnapshotService/PrepareSnapshot of a fresh key over the image's layers
//   total     pull + unpack
//   bytes     the image's compressed layer bytes (sum of the manifest's layer sizes)
// After answering the timings it has already removed what the run made (the snapshot, then the
// image by ID with force, which deletes its blobs); the unpacked layers are the caller's to delete.
// Errors go to stderr and end the program with status 1.

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;

import dev.berth.contracts.agent.v1.PrepareSnapshotRequest;
import dev.berth.contracts.agent.v1.PrepareSnapshotResponse;
import dev.berth.contracts.agent.v1.RemoveSnapshotRequest;
import dev.berth.contracts.agent.v1.SnapshotLayer;
import dev.berth.contracts.agent.v1.SnapshotServiceGrpc;
import dev.berth.contracts.engine.v1.Image;
import dev.berth.contracts.engine.v1.ImageServiceGrpc;
import dev.berth.contracts.engine.v1.Layer;
import dev.berth.contracts.engine.v1.PullRequest;
import dev.berth.contracts.engine.v1.PullResponse;
import dev.berth.contracts.engine.v1.RemoveRequest;

class PullClient {

	public static void main(String[] args) throws Exception {
		if (args.length != 3) {
			System.err.println("usage: PullClient <engine port> <agent port> <reference>");
			System.exit(2);
		}
		ManagedChannel engine = channel(Integer.parseInt(args[0]));
		ManagedChannel agent = channel(Integer.parseInt(args[1]));
		String reference = args[2];
		try {
			BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
			String run;
			while ((run = commands.readLine()) != null) {
				if (!run.isBlank()) {
					System.out.println(run(engine, agent, reference, run.strip()));
					System.out.flush();
				}
			}
		}
		catch (RuntimeException ex) {
			System.err.println("PullClient: " + ex);
			System.exit(1);
		}
		finally {
			engine.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
			agent.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
		}
	}

	private static ManagedChannel channel(int port) {
		return ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
	}

	private static String run(ManagedChannel engine, ManagedChannel agent, String reference, String run) {
		var images = ImageServiceGrpc.newBlockingStub(engine).withDeadlineAfter(10, TimeUnit.MINUTES);
		var snapshots = SnapshotServiceGrpc.newBlockingStub(agent).withDeadlineAfter(10, TimeUnit.MINUTES);
		String key = "bench-" + run;

		long start = System.nanoTime();
		long downloaded = -1;
		Image image = null;
		Iterator<PullResponse> pull = images.pull(PullRequest.newBuilder().setReference(reference).build());
		while (pull.hasNext()) {
			PullResponse response = pull.next();
			if (response.hasImage()) {
				image = response.getImage();
				break;
			}
			String status = response.getProgress().getStatus();
			if (status.equals("Pull complete")) {
				downloaded = System.nanoTime();
			}
			else if (status.equals("Already exists")) {
				throw new IllegalStateException("layer " + response.getProgress().getId()
						+ " was still in the content store: the run would not measure a download");
			}
		}
		long pulled = System.nanoTime();
		if (image == null) {
			throw new IllegalStateException("the pull of " + reference + " ended without an image");
		}
		while (pull.hasNext()) {
			pull.next(); // nothing follows the image; this just sees the call end
		}

		PrepareSnapshotRequest.Builder prepare = PrepareSnapshotRequest.newBuilder().setKey(key);
		long bytes = 0;
		for (Layer layer : image.getLayersList()) {
			prepare.addLayers(SnapshotLayer.newBuilder()
				.setBlobDigest(layer.getBlobDigest())
				.setMediaType(layer.getMediaType())
				.setSize(layer.getSize())
				.setDiffId(layer.getDiffId()));
			bytes += layer.getSize();
		}
		boolean prepared = false;
		Iterator<PrepareSnapshotResponse> unpack = snapshots.prepareSnapshot(prepare.build());
		while (unpack.hasNext()) {
			PrepareSnapshotResponse response = unpack.next();
			if (response.hasSnapshot()) {
				prepared = true;
				break;
			}
			if (response.getProgress().getStatus().equals("Already exists")) {
				throw new IllegalStateException("layer " + response.getProgress().getId()
						+ " was still unpacked: the run would not measure an unpack");
			}
		}
		long unpacked = System.nanoTime();
		if (!prepared) {
			throw new IllegalStateException("PrepareSnapshot of " + key + " ended without a snapshot");
		}
		while (unpack.hasNext()) {
			unpack.next();
		}

		snapshots.removeSnapshot(RemoveSnapshotRequest.newBuilder().setKey(key).build());
		images.remove(RemoveRequest.newBuilder().setName(image.getId()).setForce(true).build());

		if (downloaded < 0) {
			throw new IllegalStateException("the engine reported no layer as pulled");
		}
		return String.format(Locale.ROOT,
				"run=%s total=%.3f pull=%.3f download=%.3f verify=%.3f unpack=%.3f bytes=%d layers=%d", run,
				seconds(unpacked - start), seconds(pulled - start), seconds(downloaded - start),
				seconds(pulled - downloaded), seconds(unpacked - pulled), bytes, image.getLayersCount());
	}

	private static double seconds(long nanos) {
		return nanos / 1e9;
	}

}

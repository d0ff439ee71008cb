package dev.berth.lifecycle.task;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

import dev.berth.contracts.agent.v1.DiffLayerResponse;
import dev.berth.contracts.engine.v1.CommitOptions;
import dev.berth.contracts.engine.v1.Image;
import dev.berth.lifecycle.ConflictException;
import dev.berth.lifecycle.container.Container;
import dev.berth.lifecycle.container.ContainerStatus;
import dev.berth.lifecycle.container.ContainerStore;
import dev.berth.lifecycle.image.Images;

/**
 * {@code docker commit}: the container's writable layer, streamed from its node straight into
 * engine-service, which makes the image. A running container is paused meanwhile (unless the
 * client says not to), so the layer is read in one consistent state, and resumed afterwards
 * whatever happened, as dockerd does. The config is the engine's to make: it applies the
 * changes to the request's config (or the container's) and fills the rest from the container's,
 * in dockerd's order; this class only checks the container can be committed and reports it.
 */
@Component
public class Commits {

	private static final Logger logger = LoggerFactory.getLogger(Commits.class);

	private final ContainerStore store;

	private final Containers containers;

	private final ContainerFilesystems filesystems;

	private final Images images;

	Commits(ContainerStore store, Containers containers, ContainerFilesystems filesystems, Images images) {
		this.store = store;
		this.containers = containers;
		this.filesystems = filesystems;
		this.images = images;
	}

	/**
	 * What {@code POST /commit} asks.
	 *
	 * @param repository where to tag the image, perhaps with its tag; empty: untagged
	 * @param config the request's Config, or null (or an empty object) for none
	 */
	public record Request(String container, String repository, String tag, String comment, String author, boolean pause,
			List<String> changes, ObjectNode config) {
	}

	/** Commits the container; returns the new image's ID, {@code sha256:<hex>}. */
	public String commit(Request request) {
		Container container = this.store.get(request.container());
		switch (container.state().status()) {
			case DEAD -> throw new ConflictException("You cannot commit container " + container.id() + " which is Dead");
			case REMOVING -> throw new ConflictException(
					"You cannot commit container " + container.id() + " which is being removed");
			default -> {
			}
		}
		boolean paused = request.pause() && container.state().status() == ContainerStatus.RUNNING && pause(container);
		Image image;
		try {
			image = commitLayer(container, options(container, request));
		}
		finally {
			if (paused) {
				unpause(container);
			}
		}
		// the image is brand new, so the tag just given is its only one
		String imageRef = image.getRepoTagsList().isEmpty() ? "" : image.getRepoTagsList().get(0);
		Map<String, String> attributes = new LinkedHashMap<>();
		attributes.put("comment", request.comment());
		attributes.put("imageID", image.getId());
		attributes.put("imageRef", imageRef);
		this.containers.publish(container, "commit", attributes);
		return image.getId();
	}

	private static CommitOptions options(Container container, Request request) {
		CommitOptions.Builder options = CommitOptions.newBuilder()
			.setParentImageId(container.imageId())
			.setContainerId(container.id())
			.setContainerConfigJson(ByteString.copyFromUtf8(container.configJson().toString()))
			.addAllChanges(request.changes())
			.setRepository(request.repository())
			.setTag(request.tag())
			.setComment(request.comment())
			.setAuthor(request.author());
		// as dockerd reads the body: a config that sets nothing is no config, and the container's is used
		if (request.config() != null && !request.config().isEmpty()) {
			options.setConfigJson(ByteString.copyFromUtf8(request.config().toString()));
		}
		return options.build();
	}

	/**
	 * Streams the node's layer into the engine. Both calls run in a context of their own, cancelled
	 * at the end: when the engine refuses early, the node stops writing a layer nobody reads.
	 */
	private Image commitLayer(Container container, CommitOptions options) {
		Context.CancellableContext scope = Context.current().withCancellation();
		try {
			return scope.call(() -> {
				Iterator<DiffLayerResponse> layer = this.filesystems.diffLayer(container);
				return this.images.commit(options, new Iterator<>() {

					@Override
					public boolean hasNext() {
						return layer.hasNext();
					}

					@Override
					public ByteString next() {
						return layer.next().getData();
					}

				});
			});
		}
		catch (RuntimeException ex) {
			throw ex;
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
		finally {
			scope.cancel(null);
		}
	}

	/** dockerd pauses on a best-effort basis: a container that stopped meanwhile is committed as it is. */
	private boolean pause(Container container) {
		try {
			this.containers.pause(container.id());
			return true;
		}
		catch (RuntimeException ex) {
			logger.debug("container {} not paused for its commit: {}", container.id(), ex.getMessage());
			return false;
		}
	}

	private void unpause(Container container) {
		try {
			this.containers.unpause(container.id());
		}
		catch (RuntimeException ex) {
			logger.warn("container {} could not be unpaused after its commit: {}", container.id(), ex.getMessage());
		}
	}

}

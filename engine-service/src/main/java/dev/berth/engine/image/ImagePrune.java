package dev.berth.engine.image;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import dev.berth.contracts.filter.FilterTime;
import dev.berth.engine.content.ContentStore;
import dev.berth.engine.content.Digest;

/**
 * {@code docker image prune}: deletes the dangling images (no tag), or with {@code dangling=false}
 * every image no container uses, tagged or not. Like dockerd, it goes through the same removal as
 * {@code docker rmi} one reference at a time, so what rmi keeps (an image a container uses, an
 * untagged parent of another image) prune keeps too; images a container uses are not even
 * tried. Filters: {@code until} (created before), {@code label} and {@code label!} (as Docker:
 * {@code label} needs every one given to match, {@code label!} excludes an image that matches
 * every one given).
 */
final class ImagePrune {

	private static final Set<String> KEYS = Set.of("dangling", "until", "label", "label!");

	/** What removing an image by name or ID does, as {@link ImageService#remove} does it. */
	@FunctionalInterface
	interface Removal {

		List<ImageDeleteItem> remove(String nameOrId, boolean force, ImageUsers users);

	}

	private final ImageStore images;

	private final ContentStore content;

	private final Function<ImageRecord, Map<String, String>> labels;

	private final Removal removal;

	private final Clock clock;

	ImagePrune(ImageStore images, ContentStore content, Function<ImageRecord, Map<String, String>> labels, Removal removal,
			Clock clock) {
		this.images = images;
		this.content = content;
		this.labels = labels;
		this.removal = removal;
		this.clock = clock;
	}

	PruneReport prune(Map<String, List<String>> filters, ImageUsers users) {
		for (String key : filters.keySet()) {
			if (!KEYS.contains(key)) {
				throw new IllegalArgumentException("invalid filter '" + key + "'");
			}
		}
		boolean danglingOnly = danglingOnly(filters.getOrDefault("dangling", List.of()));
		Instant until = until(filters.getOrDefault("until", List.of()));
		List<String> wanted = filters.getOrDefault("label", List.of());
		List<String> unwanted = filters.getOrDefault("label!", List.of());

		List<ImageRecord> records = this.images.list();
		Set<Digest> parents = new HashSet<>();
		records.forEach((r) -> {
			if (r.parent() != null) {
				parents.add(r.parent());
			}
		});
		List<ImageDeleteItem> deleted = new ArrayList<>();
		long reclaimed = 0;
		for (ImageRecord record : records) {
			List<String> tags = this.images.tagsOf(record.id());
			if (tags.isEmpty() && parents.contains(record.id())) {
				// an intermediate image goes with the image built on it, never on its own
				continue;
			}
			if (danglingOnly && !tags.isEmpty()) {
				continue;
			}
			Instant created = (record.created() != null) ? record.created() : Instant.EPOCH;
			if (until != null && created.isAfter(until)) {
				continue;
			}
			if (!users.usersOf(record.id()).isEmpty()) {
				continue;
			}
			if (!wanted.isEmpty() || !unwanted.isEmpty()) {
				Map<String, String> own = this.labels.apply(record);
				if (!wanted.stream().allMatch((f) -> ImageFilters.hasLabel(own, f))
						|| (!unwanted.isEmpty() && unwanted.stream().allMatch((f) -> ImageFilters.hasLabel(own, f)))) {
					continue;
				}
			}
			Map<Digest, Long> blobs = blobsOf(record);
			deleted.addAll(remove(record, users));
			for (Map.Entry<Digest, Long> blob : blobs.entrySet()) {
				if (!this.content.has(blob.getKey())) {
					reclaimed += blob.getValue();
				}
			}
		}
		return new PruneReport(deleted, reclaimed);
	}

	/**
	 * Each reference is removed on its own, as dockerd's prune does; the image goes with its last
	 * one, or by ID when it had none. A refusal (a conflict that appeared meanwhile) skips the image.
	 */
	private List<ImageDeleteItem> remove(ImageRecord record, ImageUsers users) {
		List<ImageDeleteItem> deleted = new ArrayList<>();
		List<String> references = new ArrayList<>(this.images.tagsOf(record.id()));
		references.addAll(record.repoDigests());
		try {
			for (String reference : references) {
				if (this.images.get(record.id()) != null) {
					deleted.addAll(this.removal.remove(reference, false, users));
				}
			}
			if (this.images.get(record.id()) != null) {
				deleted.addAll(this.removal.remove(record.id().toString(), false, users));
			}
		}
		catch (ImageConflictException | ImageNotFoundException ex) {
			// changed under us: what was removed stays reported, the rest is kept
		}
		return deleted;
	}

	/** The blobs an image holds and their sizes, measured before it goes. */
	private Map<Digest, Long> blobsOf(ImageRecord record) {
		Map<Digest, Long> sizes = new HashMap<>();
		for (Digest digest : record.blobs()) {
			if (this.content.has(digest)) {
				sizes.put(digest, this.content.size(digest));
			}
		}
		return sizes;
	}

	private static boolean danglingOnly(List<String> values) {
		if (values.isEmpty()) {
			return true;
		}
		for (String value : values) {
			if (!List.of("true", "1", "false", "0").contains(value.toLowerCase(Locale.ROOT))) {
				throw new IllegalArgumentException("invalid filter 'dangling=" + value + "'");
			}
		}
		return values.stream().noneMatch((v) -> v.equalsIgnoreCase("false") || v.equals("0"));
	}

	private Instant until(List<String> values) {
		if (values.isEmpty()) {
			return null;
		}
		if (values.size() > 1) {
			throw new IllegalArgumentException("more than one until filter specified");
		}
		return FilterTime.parse(values.get(0), this.clock);
	}

}

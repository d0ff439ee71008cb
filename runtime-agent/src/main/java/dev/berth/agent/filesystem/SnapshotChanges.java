package dev.berth.agent.filesystem;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.berth.runtime.linux.DirFd;
import dev.berth.runtime.linux.FileStat;
import dev.berth.runtime.linux.SyscallException;

/**
 * {@code docker diff}: the writable layer compared with the image, by Docker's rules. Each entry
 * of the layer is a deletion when it is a whiteout (or an opaque directory, which Docker reports
 * as deleted and then lists what it holds as added), an addition when the image has nothing at
 * its path, otherwise a modification; but a directory the image has too, with the same size,
 * mode and modification time, is no change (it is only there because something below it
 * changed). The directory holding an addition or deletion is reported modified, once, even when
 * its own metadata did not change. Both trees are walked from open directories, never through a
 * link.
 */
final class SnapshotChanges {

	/** Docker's change kinds. */
	enum Kind {
		MODIFIED, ADDED, DELETED
	}

	record Change(String path, Kind kind) {
	}

	private final List<Change> changes = new ArrayList<>();

	private final Set<String> changedDirectories = new HashSet<>();

	private SnapshotChanges() {
	}

	/** The changes of {@code upper} (a writable layer) against {@code image} (its image's merged layers). */
	static List<Change> of(DirFd upper, DirFd image) throws IOException {
		SnapshotChanges walk = new SnapshotChanges();
		walk.directory(upper, image, "");
		return walk.changes;
	}

	private void directory(DirFd upper, DirFd image, String path) throws IOException {
		for (String name : TreeArchive.children(upper)) {
			FileStat stat = upper.stat(name);
			if (stat == null) {
				continue;
			}
			String child = path + "/" + name;
			FileStat before = (image != null) ? image.stat(name) : null;
			Kind kind;
			if (stat.isWhiteout() || (stat.isDirectory() && TreeArchive.isOpaque(upper, name))) {
				kind = Kind.DELETED;
			}
			else if (before == null) {
				kind = Kind.ADDED;
			}
			else if (stat.isDirectory() && before.isDirectory() && stat.size() == before.size()
					&& stat.mode() == before.mode() && stat.modified().equals(before.modified())) {
				kind = null;
			}
			else {
				kind = Kind.MODIFIED;
			}
			if (kind != null) {
				record(child, kind, stat.isDirectory(), path);
			}
			if (stat.isDirectory()) {
				descend(upper, image, name, child, before);
			}
		}
	}

	/** A change, after its directory's when the directory was not reported yet. */
	private void record(String child, Kind kind, boolean directory, String parent) {
		if (directory) {
			this.changedDirectories.add(child);
		}
		if ((kind == Kind.ADDED || kind == Kind.DELETED) && !parent.isEmpty() && this.changedDirectories.add(parent)) {
			this.changes.add(new Change(parent, Kind.MODIFIED));
		}
		this.changes.add(new Change(child, kind));
	}

	private void descend(DirFd upper, DirFd image, String name, String child, FileStat before) throws IOException {
		try (DirFd upperChild = upper.openDirectory(name);
				DirFd imageChild = (before != null && before.isDirectory()) ? image.openDirectory(name) : null) {
			directory(upperChild, imageChild, child);
		}
		catch (SyscallException ex) {
			// replaced since it was listed: its contents are not this layer's any more
		}
	}

}

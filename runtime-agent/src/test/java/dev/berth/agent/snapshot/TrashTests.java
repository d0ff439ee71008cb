package dev.berth.agent.snapshot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Trash}: a discarded tree is gone from its place at once and from the disk once the
 * background removal has run; a link in it is removed, not followed; a crash's leftovers go at the
 * next opening.
 */
class TrashTests {

	@TempDir
	Path root;

	@Test
	void aDiscardedTreeLeavesAtOnceAndIsRemovedInTheBackground() throws IOException {
		Path outside = Files.createDirectories(this.root.resolve("outside"));
		Files.writeString(outside.resolve("keep"), "not the trash's");
		Path tree = Files.createDirectories(this.root.resolve("store/c1/upper/etc"));
		Files.writeString(tree.resolve("hosts"), "x");
		Files.createSymbolicLink(this.root.resolve("store/c1/upper/escape"), outside);
		try (Trash trash = new Trash(this.root.resolve("trash"))) {
			trash.discard(this.root.resolve("store/c1"));
			assertThat(this.root.resolve("store/c1")).doesNotExist();
			// a second discard of the same name, and one of nothing, are fine
			Files.createDirectories(this.root.resolve("store/c1"));
			trash.discard(this.root.resolve("store/c1"));
			trash.discard(this.root.resolve("store/c1"));
			trash.drain();
			assertThat(this.root.resolve("trash")).isEmptyDirectory();
		}
		assertThat(outside.resolve("keep")).hasContent("not the trash's");
	}

	@Test
	void whatACrashLeftInTheTrashIsRemovedWhenItIsOpened() throws IOException {
		Files.createDirectories(this.root.resolve("trash/c1-left/upper/deep"));
		Files.writeString(this.root.resolve("trash/c1-left/upper/deep/file"), "x");
		try (Trash trash = new Trash(this.root.resolve("trash"))) {
			trash.drain();
			assertThat(this.root.resolve("trash")).isEmptyDirectory();
		}
	}

}

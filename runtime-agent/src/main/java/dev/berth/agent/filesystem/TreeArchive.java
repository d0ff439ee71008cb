package dev.berth.agent.filesystem;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import dev.berth.runtime.linux.DirFd;
import dev.berth.runtime.linux.FileStat;
import dev.berth.runtime.linux.SyscallException;

/**
 * Writes a directory tree as a tar, walking it from open directories: a directory is entered
 * with {@code O_NOFOLLOW}, a file opened with {@code O_NOFOLLOW}, so a symbolic link in the tree
 * is archived as a link and never followed, whoever changes the tree meanwhile. Hard links within
 * the archive stay hard links; sockets are left out, as Docker leaves them out.
 *
 * <p>In {@link Mode#LAYER} the tree is a writable layer, written as an image layer: overlayfs's
 * whiteouts (0/0 character devices) become {@code .wh.<name>} entries and an opaque directory
 * gets a {@code .wh..wh..opq} entry, as Docker's layers carry them.
 */
final class TreeArchive implements AutoCloseable {

	/** How the tree's overlayfs markers are written. */
	enum Mode {

		/** a merged view: there are no markers */
		FILES,

		/** a writable layer: markers become the image layer's whiteout entries */
		LAYER

	}

	private static final String OPAQUE_XATTR = "trusted.overlay.opaque";

	private static final int CHARACTER_DEVICE = 0020000;

	private static final int BLOCK_DEVICE = 0060000;

	private static final int FIFO = 0010000;

	private final TarArchiveOutputStream tar;

	private final Mode mode;

	/** The first entry name of each multiply-linked inode, by device and inode. */
	private final Map<List<Long>, String> linked = new HashMap<>();

	private final byte[] buffer = new byte[64 * 1024];

	TreeArchive(OutputStream out, Mode mode) {
		this.tar = new TarArchiveOutputStream(out);
		this.tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
		this.tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
		this.tar.setAddPaxHeadersForNonAsciiNames(true);
		this.mode = mode;
	}

	/**
	 * Archives {@code name} in {@code directory} (described by {@code stat}) as {@code entryName},
	 * and everything below it when it is a directory.
	 */
	void add(DirFd directory, String name, FileStat stat, String entryName) throws IOException {
		switch (stat.type()) {
			case FileStat.S_IFDIR -> addDirectory(directory, name, stat, entryName);
			case FileStat.S_IFREG -> addFile(directory, name, stat, entryName);
			case FileStat.S_IFLNK -> {
				TarArchiveEntry entry = entry(entryName, TarConstants.LF_SYMLINK, stat);
				entry.setLinkName(Files.readSymbolicLink(directory.procPath().resolve(name)).toString());
				put(entry);
			}
			case CHARACTER_DEVICE, BLOCK_DEVICE -> {
				if (this.mode == Mode.LAYER && stat.isWhiteout()) {
					put(entry(whiteoutName(entryName), TarConstants.LF_NORMAL, stat));
					return;
				}
				TarArchiveEntry entry = entry(entryName,
						(stat.type() == CHARACTER_DEVICE) ? TarConstants.LF_CHR : TarConstants.LF_BLK, stat);
				entry.setDevMajor(stat.rdevMajor());
				entry.setDevMinor(stat.rdevMinor());
				put(entry);
			}
			case FIFO -> put(entry(entryName, TarConstants.LF_FIFO, stat));
			default -> {
				// a socket means nothing once its listener is gone
			}
		}
	}

	/** Archives every entry of {@code root} (not the root itself), named from the archive's top. */
	void addChildren(DirFd root, String prefix) throws IOException {
		for (String child : children(root)) {
			FileStat stat = root.stat(child);
			if (stat != null) {
				add(root, child, stat, prefix + child);
			}
		}
	}

	private void addDirectory(DirFd directory, String name, FileStat stat, String entryName) throws IOException {
		String prefix = entryName.endsWith("/") ? entryName : entryName + "/";
		put(entry(prefix, TarConstants.LF_DIR, stat));
		try (DirFd opened = name.equals(".") ? directory.duplicate() : directory.openDirectory(name)) {
			if (this.mode == Mode.LAYER && isOpaque(opened, ".")) {
				put(entry(prefix + ".wh..wh..opq", TarConstants.LF_NORMAL, stat));
			}
			addChildren(opened, prefix);
		}
		catch (SyscallException ex) {
			// replaced by something else since it was listed: archived as it was, empty
		}
	}

	private void addFile(DirFd directory, String name, FileStat stat, String entryName) throws IOException {
		if (stat.links() > 1) {
			List<Long> inode = List.of(stat.device(), stat.inode());
			String first = this.linked.putIfAbsent(inode, entryName);
			if (first != null) {
				TarArchiveEntry entry = entry(entryName, TarConstants.LF_LINK, stat);
				entry.setLinkName(first);
				put(entry);
				return;
			}
		}
		TarArchiveEntry entry = entry(entryName, TarConstants.LF_NORMAL, stat);
		entry.setSize(stat.size());
		this.tar.putArchiveEntry(entry);
		Path file = directory.procPath().resolve(name);
		long remaining = stat.size();
		try (InputStream in = Files.newInputStream(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
			int read;
			while (remaining > 0 && (read = in.read(this.buffer, 0, (int) Math.min(this.buffer.length, remaining))) > 0) {
				this.tar.write(this.buffer, 0, read);
				remaining -= read;
			}
		}
		catch (NoSuchFileException ex) {
			// removed since it was listed: the entry keeps its size, filled with zeros
		}
		// a file that shrank while it was read: the header's size is what the archive must hold
		java.util.Arrays.fill(this.buffer, (byte) 0);
		while (remaining > 0) {
			int n = (int) Math.min(this.buffer.length, remaining);
			this.tar.write(this.buffer, 0, n);
			remaining -= n;
		}
		this.tar.closeArchiveEntry();
	}

	private void put(TarArchiveEntry entry) throws IOException {
		this.tar.putArchiveEntry(entry);
		this.tar.closeArchiveEntry();
	}

	private static TarArchiveEntry entry(String name, byte type, FileStat stat) {
		TarArchiveEntry entry = new TarArchiveEntry(name, type);
		entry.setMode(stat.permissions());
		entry.setUserId(stat.uid());
		entry.setGroupId(stat.gid());
		entry.setLastModifiedTime(FileTime.from(stat.modified()));
		return entry;
	}

	/** {@code dir/name} deleted in a layer: {@code dir/.wh.name}. */
	private static String whiteoutName(String entryName) {
		int slash = entryName.lastIndexOf('/');
		return entryName.substring(0, slash + 1) + ".wh." + entryName.substring(slash + 1);
	}

	/** Whether {@code name} is a directory overlayfs marked opaque: nothing below shows through it. */
	static boolean isOpaque(DirFd directory, String name) {
		byte[] value = directory.getXattr(name, OPAQUE_XATTR);
		return value != null && value.length == 1 && value[0] == 'y';
	}

	/** The names in a directory, sorted as Docker's walk visits them. */
	static List<String> children(DirFd directory) throws IOException {
		List<String> names = new ArrayList<>();
		try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory.procPath())) {
			entries.forEach((entry) -> names.add(entry.getFileName().toString()));
		}
		names.sort(null);
		return names;
	}

	/** Ends the archive with its end-of-archive blocks; the stream it wrote to stays open. */
	void finish() throws IOException {
		this.tar.finish();
		this.tar.flush();
	}

	@Override
	public void close() throws IOException {
		finish();
	}

}

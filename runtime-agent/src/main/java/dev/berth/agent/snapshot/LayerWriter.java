package dev.berth.agent.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;

import dev.berth.runtime.linux.DirFd;
import dev.berth.runtime.linux.Errno;
import dev.berth.runtime.linux.LinuxSyscalls;
import dev.berth.runtime.linux.SyscallException;

/**
 * Writes tar entries into a layer directory, in overlayfs's form, without ever reaching outside
 * it. Each entry is reached from the root one component at a time through {@link DirFd}: a
 * directory is entered only if it is a real one, never through a symbolic link (whoever made the
 * link), and the entry itself is created, replaced and changed with {@code *at} calls that do not
 * follow links. So a link the layer planted, however it points, is never a way out; and a name
 * that climbs out with {@code ..} never gets this far ({@link EntryPath}).
 *
 * <p>The directory must not change under the writer: it is private to the unpacker until it
 * becomes a snapshot.
 */
final class LayerWriter implements AutoCloseable {

	/** {@code dir/.wh.name}: {@code name} is deleted in this layer. */
	private static final String WHITEOUT_PREFIX = ".wh.";

	/** {@code .wh..wh.*} names are aufs's bookkeeping, except the opaque marker. */
	private static final String WHITEOUT_META_PREFIX = ".wh..wh.";

	/** {@code dir/.wh..wh..opq}: nothing of {@code dir} in lower layers shows through. */
	private static final String OPAQUE_MARKER = ".wh..wh..opq";

	private static final String OPAQUE_XATTR = "trusted.overlay.opaque";

	/** Directories a layer needs but does not list get Docker's mode for them. */
	private static final int IMPLICIT_DIRECTORY_MODE = 0755;

	private static final long MAX_ID = 0xFFFF_FFFEL;

	private final DirFd outer;

	private final String rootName;

	private final DirFd root;

	private final long maxBytes;

	/** Null for an image layer; set for an archive extracted into an existing directory. */
	private final ExtractOptions extract;

	// set last: creating anything in a directory moves its modification time
	private final Map<EntryPath, EntryTimes> directoryTimes = new HashMap<>();

	private final byte[] buffer = new byte[128 * 1024];

	private long written;

	private LayerWriter(DirFd outer, String rootName, DirFd root, long maxBytes, ExtractOptions extract) {
		this.outer = outer;
		this.rootName = rootName;
		this.root = root;
		this.maxBytes = maxBytes;
		this.extract = extract;
	}

	/**
	 * Opens {@code target}, a directory that may hold files, to extract an archive into: entries
	 * replace what is there, {@code .wh.} names are plain files. An entry for the archive's root
	 * sets {@code target}'s own metadata.
	 */
	static LayerWriter openExisting(DirFd target, long maxBytes, ExtractOptions options) {
		DirFd self = target.duplicate();
		try {
			return new LayerWriter(self, ".", target.duplicate(), maxBytes, options);
		}
		catch (RuntimeException ex) {
			self.close();
			throw ex;
		}
	}

	/**
	 * Opens {@code target}, an existing empty directory (not a link to one).
	 * @param maxBytes the most file content to write, holes of sparse entries included
	 */
	static LayerWriter open(Path target, long maxBytes) throws IOException {
		Path absolute = target.toAbsolutePath().normalize();
		if (absolute.getParent() == null) {
			throw new IllegalArgumentException("cannot unpack a layer into /");
		}
		// the root's own metadata (a "./" entry) is set through its parent, like any entry's
		DirFd outer = DirFd.open(absolute.getParent());
		DirFd root = null;
		try {
			String rootName = absolute.getFileName().toString();
			root = outer.openDirectory(rootName);
			if (!isEmpty(root)) {
				throw new IllegalArgumentException("layer target " + absolute + " is not empty");
			}
			return new LayerWriter(outer, rootName, root, maxBytes, null);
		}
		catch (IOException | RuntimeException ex) {
			if (root != null) {
				root.close();
			}
			outer.close();
			throw ex;
		}
	}

	/**
	 * Writes one entry: {@code content} is its data; {@code xattrs} and {@code times} are the
	 * metadata the tar reader's entry does not carry exactly.
	 */
	void write(TarArchiveEntry header, InputStream content, Map<String, byte[]> xattrs, EntryTimes times)
			throws IOException {
		String name = header.getName();
		Entry entry = new Entry(header, EntryPath.parse(name, name, "name"), xattrs, times);
		checkOwner(header);
		try {
			if (this.extract == null && !entry.path().isRoot() && entry.path().name().startsWith(WHITEOUT_PREFIX)) {
				whiteout(entry);
				return;
			}
			Kind kind = Kind.of(header);
			if (entry.path().isRoot() && kind != Kind.DIRECTORY) {
				throw new LayerUnpackException(name, "names the layer root but is not a directory");
			}
			switch (kind) {
				case DIRECTORY -> directory(entry);
				case FILE -> regularFile(entry, content);
				case SYMLINK -> symlink(entry);
				case HARDLINK -> hardlink(entry);
				case CHARACTER_DEVICE, BLOCK_DEVICE, FIFO -> special(entry, kind);
			}
		}
		catch (SyscallException ex) {
			throw new LayerUnpackException(name, ex.getMessage(), ex);
		}
	}

	/**
	 * Sets the directories' times, deepest first, now that nothing more is written into them;
	 * then writes the layer back to disk, so that a snapshot committed after this survives a
	 * crash with its files' contents.
	 */
	void finish() throws LayerUnpackException {
		List<EntryPath> directories = new ArrayList<>(this.directoryTimes.keySet());
		directories.sort(Comparator.comparingInt(EntryPath::depth).reversed());
		for (EntryPath directory : directories) {
			EntryTimes times = this.directoryTimes.get(directory);
			try (Location at = locate(directory.toString(), directory, false, "directory")) {
				at.dir().setTimes(at.name(), times.access(), times.modification());
			}
			catch (SyscallException ex) {
				throw new LayerUnpackException(directory.toString(), ex.getMessage(), ex);
			}
		}
		try {
			this.root.syncFilesystem();
		}
		catch (SyscallException ex) {
			throw LayerUnpackException.ofLayer(ex.getMessage());
		}
	}

	@Override
	public void close() {
		this.root.close();
		this.outer.close();
	}

	private void directory(Entry entry) throws IOException {
		try (Location at = locate(entry.name(), entry.path(), true, "name")) {
			if (!entry.path().isRoot()) {
				makeDirectory(entry.name(), at, entry.path());
			}
			applyMetadata(entry, at, Kind.DIRECTORY);
		}
	}

	private void regularFile(Entry entry, InputStream content) throws IOException {
		try (Location at = locate(entry.name(), entry.path(), true, "name")) {
			remove(entry.name(), at, entry.path());
			try (OutputStream out = at.dir().createFile(at.name(), 0600)) {
				copy(entry.name(), content, out);
			}
			applyMetadata(entry, at, Kind.FILE);
		}
	}

	private void symlink(Entry entry) throws IOException {
		String target = entry.header().getLinkName();
		if (target.isEmpty()) {
			throw new LayerUnpackException(entry.name(), "symbolic link with an empty target");
		}
		// stored as given: the container resolves it inside its own root, and we never follow it
		EntryPath.checkLength(entry.name(), target, "link target");
		try (Location at = locate(entry.name(), entry.path(), true, "name")) {
			remove(entry.name(), at, entry.path());
			at.dir().symlink(target, at.name());
			applyMetadata(entry, at, Kind.SYMLINK);
		}
	}

	/**
	 * A second name for an entry earlier in this layer. The link's own header is not applied: the
	 * inode is the target's, its metadata came with the target's entry, and a chown here would
	 * strip the target's {@code security.capability}.
	 */
	private void hardlink(Entry entry) throws IOException {
		String name = entry.name();
		EntryPath target = EntryPath.parse(name, entry.header().getLinkName(), "hard link target");
		if (target.isRoot() || entry.path().isRoot()) {
			throw new LayerUnpackException(name, "hard link to or from the layer root");
		}
		if (target.equals(entry.path())) {
			throw new LayerUnpackException(name, "hard link to itself");
		}
		try (Location from = locate(name, target, false, "hard link target");
				Location at = locate(name, entry.path(), true, "name")) {
			remove(name, at, entry.path());
			try {
				at.dir().link(from.dir(), from.name(), at.name());
			}
			catch (SyscallException ex) {
				if (ex.errno() == Errno.ENOENT) {
					throw new LayerUnpackException(name, "hard link target \"" + target + "\" is not in this layer", ex);
				}
				if (ex.errno() == Errno.EPERM) {
					throw new LayerUnpackException(name, "hard link target \"" + target + "\" is a directory", ex);
				}
				throw ex;
			}
		}
	}

	private void special(Entry entry, Kind kind) throws IOException {
		int type = switch (kind) {
			case CHARACTER_DEVICE -> DirFd.S_IFCHR;
			case BLOCK_DEVICE -> DirFd.S_IFBLK;
			default -> DirFd.S_IFIFO;
		};
		long device = (kind == Kind.FIFO) ? 0
				: LinuxSyscalls.makedev(entry.header().getDevMajor(), entry.header().getDevMinor());
		try (Location at = locate(entry.name(), entry.path(), true, "name")) {
			remove(entry.name(), at, entry.path());
			at.dir().mknod(at.name(), type, device);
			applyMetadata(entry, at, kind);
		}
	}

	/** A whiteout or opaque marker, written as overlayfs reads them; aufs's own markers are skipped. */
	private void whiteout(Entry entry) throws IOException {
		String name = entry.name();
		EntryPath marker = entry.path();
		String leaf = marker.name();
		if (leaf.equals(OPAQUE_MARKER)) {
			// walking to the marker makes its directory exist, and proves it a real directory
			locate(name, marker, true, "name").close();
			try (Location at = locate(name, marker.parent(), false, "name")) {
				at.dir().setXattr(at.name(), OPAQUE_XATTR, "y".getBytes(StandardCharsets.US_ASCII));
			}
			return;
		}
		if (leaf.startsWith(WHITEOUT_META_PREFIX)) {
			return;
		}
		String hidden = leaf.substring(WHITEOUT_PREFIX.length());
		if (hidden.isEmpty() || hidden.equals(".") || hidden.equals("..")) {
			throw new LayerUnpackException(name, "whiteout of \"" + hidden + "\", which is no file name");
		}
		EntryPath hiddenPath = marker.parent().child(hidden);
		try (Location at = locate(name, hiddenPath, true, "name")) {
			remove(name, at, hiddenPath);
			// a 0/0 character device is overlayfs's whiteout: the name is deleted in this layer
			at.dir().mknod(at.name(), DirFd.S_IFCHR, 0);
			at.dir().chown(at.name(), entry.header().getLongUserId(), entry.header().getLongGroupId());
		}
	}

	/**
	 * Owner, mode, extended attributes, times, in that order: chown clears setuid, setgid and
	 * {@code security.capability}, so those are set after it.
	 */
	private void applyMetadata(Entry entry, Location at, Kind kind) {
		TarArchiveEntry header = entry.header();
		ExtractOptions.Owner owner = (this.extract != null) ? this.extract.owner() : null;
		at.dir().chown(at.name(), (owner != null) ? owner.uid() : header.getLongUserId(),
				(owner != null) ? owner.gid() : header.getLongGroupId());
		if (kind != Kind.SYMLINK) {
			at.dir().chmod(at.name(), header.getMode() & 07777);
		}
		for (Map.Entry<String, byte[]> xattr : entry.xattrs().entrySet()) {
			setXattr(at, xattr.getKey(), xattr.getValue());
		}
		if (kind == Kind.DIRECTORY) {
			this.directoryTimes.put(entry.path(), entry.times());
		}
		else {
			at.dir().setTimes(at.name(), entry.times().access(), entry.times().modification());
		}
	}

	private void setXattr(Location at, String key, byte[] value) {
		// overlayfs's own attributes (opaque, redirect, metacopy, origin) would let a layer steer
		// the overlay's lookups; a layer asks for "opaque" with .wh..wh..opq, and for nothing else
		if (key.startsWith("trusted.overlay.") || key.startsWith("user.overlay.")) {
			return;
		}
		try {
			at.dir().setXattr(at.name(), key, value);
		}
		catch (SyscallException ex) {
			// as Docker: a namespace the filesystem lacks (EOPNOTSUPP), or one the kernel refuses
			// for this type of file (EPERM: user.* on a link or device), drops the attribute only
			if (ex.errno() != Errno.EOPNOTSUPP && ex.errno() != Errno.EPERM) {
				throw ex;
			}
		}
	}

	/** Keeps a directory already at {@code at} (a later entry only updates its metadata); replaces anything else. */
	private void makeDirectory(String entry, Location at, EntryPath path) throws LayerUnpackException {
		try {
			at.dir().mkdir(at.name(), 0700);
			return;
		}
		catch (SyscallException ex) {
			if (ex.errno() != Errno.EEXIST) {
				throw ex;
			}
		}
		if (isDirectory(at.dir(), at.name())) {
			return;
		}
		if (this.extract != null && this.extract.noOverwriteDirNonDir()) {
			throw new LayerUnpackException(entry, "cannot overwrite non-directory \"" + path + "\" with directory");
		}
		remove(entry, at, path);
		at.dir().mkdir(at.name(), 0700);
	}

	/** Removes whatever is at {@code at}, a whole tree included, without following links. */
	private void remove(String entry, Location at, EntryPath path) throws LayerUnpackException {
		if (at.dir().unlinkIfPresent(at.name()) != Errno.EISDIR) {
			return;
		}
		if (this.extract != null && this.extract.noOverwriteDirNonDir()) {
			throw new LayerUnpackException(entry, "cannot overwrite directory \"" + path + "\" with non-directory");
		}
		try {
			TreeRemoval.removeChild(at.dir(), at.name());
		}
		catch (IOException ex) {
			throw new LayerUnpackException(entry, "cannot remove the directory \"" + path + "\" it replaces: " + ex,
					ex);
		}
		// those directories are gone: their times must not land on what takes their paths next
		this.directoryTimes.keySet().removeIf((directory) -> directory.isWithin(path));
	}

	private void copy(String entry, InputStream content, OutputStream out) throws IOException {
		int read;
		while ((read = content.read(this.buffer)) > 0) {
			this.written += read;
			if (this.written > this.maxBytes) {
				throw new LayerUnpackException(entry, "the layer's file contents are larger than the limit of "
						+ this.maxBytes + " bytes");
			}
			out.write(this.buffer, 0, read);
		}
	}

	/**
	 * Opens the parent directory of {@code path}, walking down from the root one real directory at
	 * a time. {@code createParents} makes missing ones, as Docker does for a layer that lists a
	 * file before its directory, or not at all.
	 * @param entry the entry being written, named by a rejection
	 * @param what what {@code path} is to the entry, for messages
	 */
	private Location locate(String entry, EntryPath path, boolean createParents, String what)
			throws LayerUnpackException {
		if (path.isRoot()) {
			return new Location(this.outer.duplicate(), this.rootName);
		}
		DirFd directory = this.root.duplicate();
		try {
			for (int i = 0; i < path.depth() - 1; i++) {
				DirFd next = enter(entry, directory, path, i, createParents, what);
				directory.close();
				directory = next;
			}
			return new Location(directory, path.name());
		}
		catch (LayerUnpackException | RuntimeException ex) {
			directory.close();
			throw ex;
		}
	}

	/** Opens component {@code index} of {@code path} in {@code directory}, never through a link. */
	private DirFd enter(String entry, DirFd directory, EntryPath path, int index, boolean create, String what)
			throws LayerUnpackException {
		String component = path.components().get(index);
		try {
			return directory.openDirectory(component);
		}
		catch (SyscallException ex) {
			String prefix = String.join("/", path.components().subList(0, index + 1));
			if (ex.errno() == Errno.ENOENT && create) {
				directory.mkdir(component, IMPLICIT_DIRECTORY_MODE);
				// mkdir's mode passed through the process umask
				directory.chmod(component, IMPLICIT_DIRECTORY_MODE);
				return directory.openDirectory(component);
			}
			if (ex.errno() == Errno.ENOENT) {
				throw new LayerUnpackException(entry, what + " \"" + path + "\": \"" + prefix
						+ "\" is not in this layer", ex);
			}
			if (ex.errno() == Errno.ENOTDIR || ex.errno() == Errno.ELOOP) {
				throw new LayerUnpackException(entry, what + " \"" + path + "\" passes through \"" + prefix
						+ "\", which is a symbolic link or not a directory; links in a layer are never followed", ex);
			}
			throw ex;
		}
	}

	private static boolean isEmpty(DirFd directory) throws IOException {
		try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory.procPath())) {
			return !entries.iterator().hasNext();
		}
	}

	private static boolean isDirectory(DirFd parent, String name) {
		try (DirFd ignored = parent.openDirectory(name)) {
			return true;
		}
		catch (SyscallException ex) {
			if (ex.errno() == Errno.ENOTDIR || ex.errno() == Errno.ELOOP) {
				return false;
			}
			throw ex;
		}
	}

	/** uid and gid must fit uid_t, and not be -1, which chown reads as "leave unchanged". */
	private static void checkOwner(TarArchiveEntry entry) throws LayerUnpackException {
		long uid = entry.getLongUserId();
		long gid = entry.getLongGroupId();
		if (uid < 0 || uid > MAX_ID || gid < 0 || gid > MAX_ID) {
			throw new LayerUnpackException(entry.getName(), "owner " + uid + ":" + gid + " is out of range");
		}
	}

	/** A tar entry with its path below the root, and the metadata read exactly. */
	private record Entry(TarArchiveEntry header, EntryPath path, Map<String, byte[]> xattrs, EntryTimes times) {

		String name() {
			return this.header.getName();
		}

	}

	/** Where an entry lands: its parent directory, open, and its name there. */
	private record Location(DirFd dir, String name) implements AutoCloseable {

		@Override
		public void close() {
			this.dir.close();
		}

	}

	/** The entry types a layer may hold; PAX headers and long names never get this far. */
	private enum Kind {

		DIRECTORY, FILE, SYMLINK, HARDLINK, CHARACTER_DEVICE, BLOCK_DEVICE, FIFO;

		static Kind of(TarArchiveEntry entry) throws LayerUnpackException {
			return switch (entry.getLinkFlag()) {
				case TarConstants.LF_DIR -> DIRECTORY;
				// pre-POSIX tars mark a directory only by the slash that ends its name (Go's
				// archive/tar reads that type so, and only that type)
				case TarConstants.LF_OLDNORM -> entry.getName().endsWith("/") ? DIRECTORY : FILE;
				// contiguous files are regular ones everywhere but a few old Unixes; 'S' is an old
				// GNU sparse file, whose holes the reader fills in
				case TarConstants.LF_NORMAL, TarConstants.LF_CONTIG, TarConstants.LF_GNUTYPE_SPARSE -> FILE;
				case TarConstants.LF_LINK -> HARDLINK;
				case TarConstants.LF_SYMLINK -> SYMLINK;
				case TarConstants.LF_CHR -> CHARACTER_DEVICE;
				case TarConstants.LF_BLK -> BLOCK_DEVICE;
				case TarConstants.LF_FIFO -> FIFO;
				default -> throw new LayerUnpackException(entry.getName(), "unsupported tar entry type '"
						+ (char) entry.getLinkFlag() + "'");
			};
		}

	}

}

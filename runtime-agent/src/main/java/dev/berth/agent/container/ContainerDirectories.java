package dev.berth.agent.container;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.springframework.stereotype.Component;

import dev.berth.agent.AgentProperties;
import dev.berth.agent.NoSuchContainerException;
import dev.berth.agent.snapshot.Trash;
import dev.berth.contracts.agent.v1.ContainerFile;
import dev.berth.runtime.shim.io.JsonFileLog;
import dev.berth.runtime.spec.SpecException;

/**
 * Each container's directory on this node, {@code <data-root>/containers/<id>/}, as Docker lays
 * it out: the files the container sees bind-mounted ({@code hostname}, {@code hosts},
 * {@code resolv.conf}) and its json-file log, {@code <id>-json.log}. It lives from the first
 * Create to RemoveSnapshot, so a restarted container keeps its log. The one place that knows
 * where a container's log is.
 */
@Component
public class ContainerDirectories {

	private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.+-]{0,127}");

	private static final int NAME_MAX = 255;

	private final Path root;

	private final Trash trash;

	public ContainerDirectories(AgentProperties properties, Trash trash) {
		this.root = properties.containers();
		this.trash = trash;
	}

	/** A bind mount of a container file, in the spec's terms. */
	public record FileMount(Path source, String target, boolean readOnly) {
	}

	/** The container's directory (which may not exist yet). */
	public Path directory(String id) {
		if (!ID.matcher(id).matches()) {
			throw new SpecException("container_id: invalid id \"" + id + "\"");
		}
		return this.root.resolve(id);
	}

	/** The container's json-file log, where Logs reads it. */
	public Path logFile(String id) {
		return JsonFileLog.path(directory(id), id);
	}

	/**
	 * The log path for the shim: empty stays empty (no log), an absolute path is taken as it is,
	 * and a relative one names a file in the container's directory, which is created for it.
	 */
	public String resolveLogPath(String id, String logPath) {
		if (logPath.isEmpty() || logPath.startsWith("/")) {
			return logPath;
		}
		return Path.of(createDirectory(id).toString(), plainName("stdio.log_path", logPath)).toString();
	}

	/**
	 * Writes each file into the container's directory, replacing the one there in a single rename
	 * (a running container's {@code /etc/hosts} is never seen half written), and returns their
	 * bind mounts. Not synced: every Create writes them again.
	 */
	public List<FileMount> writeFiles(String id, List<ContainerFile> files) {
		List<FileMount> mounts = new ArrayList<>();
		if (files.isEmpty()) {
			return mounts;
		}
		Path directory = createDirectory(id);
		for (ContainerFile file : files) {
			String name = plainName("files.name", file.getName());
			if (!file.getTarget().startsWith("/")) {
				throw new SpecException("files.target: must be absolute, got \"" + file.getTarget() + "\"");
			}
			Path target = directory.resolve(name);
			Path temporary = directory.resolve("." + name + ".tmp");
			try {
				Files.deleteIfExists(temporary);
				Files.write(temporary, file.getContent().toByteArray());
				Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
			}
			catch (IOException ex) {
				throw new UncheckedIOException("cannot write " + target + ": " + ex.getMessage(), ex);
			}
			mounts.add(new FileMount(target, file.getTarget(), file.getReadOnly()));
		}
		return mounts;
	}

	/**
	 * Deletes the directory and everything in it (in the background, {@link Trash}), following no
	 * link; nothing there is fine.
	 */
	public void remove(String id) {
		try {
			this.trash.discard(directory(id));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot remove the directory of container " + id, ex);
		}
	}

	/** Fails with Docker's "No such container" unless this node has the container's directory. */
	public void requireExisting(String id) {
		if (!ID.matcher(id).matches() || !Files.isDirectory(this.root.resolve(id))) {
			throw new NoSuchContainerException(id);
		}
	}

	private Path createDirectory(String id) {
		Path directory = directory(id);
		try {
			Files.createDirectories(directory);
			return directory;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot create " + directory + ": " + ex.getMessage(), ex);
		}
	}

	/** A name that stays in the directory: one path component, not {@code .} or {@code ..}. */
	private static String plainName(String field, String name) {
		if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0
				|| name.length() > NAME_MAX) {
			throw new SpecException(field + ": \"" + name + "\" is not a plain file name");
		}
		return name;
	}

}

package dev.berth.agent.user;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.berth.runtime.linux.DirFd;
import dev.berth.runtime.spec.JsonObject;

/**
 * Gives a container process (the spec's {@code process}) the user Docker's {@code User} and
 * {@code GroupAdd} name, looked up in the container's own root filesystem, and {@code HOME} when
 * its environment has none. The files are read from the root filesystem as the container sees it
 * (for an image, the mounted overlay: its whiteouts already applied), with every link resolved
 * inside it.
 *
 * <p>An empty {@code User} over a spec that already has {@code process.user} keeps that user, so
 * callers that write complete specs (berth-runc style) are not second-guessed; GroupAdd then adds
 * to its groups.
 */
public final class ProcessUsers {

	/** Far more than any real passwd file; a bound for a hostile one. */
	private static final int MAX_FILE_BYTES = 16 << 20;

	private ProcessUsers() {
	}

	/** A copy of {@code process} with its user and HOME set from {@code rootfs}'s files. */
	public static Map<String, Object> apply(Map<String, Object> process, String user, List<String> groupAdd,
			Path rootfs) {
		JsonObject current = new JsonObject("process", process);
		Map<String, Object> result = new LinkedHashMap<>(process);
		List<String> env = new ArrayList<>(current.strings("env"));
		boolean hasHome = env.stream().anyMatch((entry) -> entry.startsWith("HOME="));
		JsonObject specUser = current.object("user");
		if (user.isEmpty() && specUser != null) {
			if (hasHome && groupAdd.isEmpty()) {
				return result; // nothing to look up
			}
			UserDatabase database = read(rootfs);
			Map<String, Object> kept = new LinkedHashMap<>(specUser.fields());
			Set<Long> gids = new LinkedHashSet<>(specUser.integers("additionalGids"));
			gids.addAll(UserResolution.additionalGroups(groupAdd, database));
			kept.put("additionalGids", new ArrayList<>(gids));
			result.put("user", kept);
			setHome(result, env, hasHome, UserResolution.home(specUser.integer("uid", 0), database));
			return result;
		}
		ProcessUser resolved = UserResolution.resolve(user, groupAdd, read(rootfs));
		Map<String, Object> credentials = new LinkedHashMap<>();
		credentials.put("uid", resolved.uid());
		credentials.put("gid", resolved.gid());
		credentials.put("additionalGids", resolved.additionalGids());
		if (specUser != null && specUser.has("umask")) {
			credentials.put("umask", specUser.fields().get("umask"));
		}
		result.put("user", credentials);
		setHome(result, env, hasHome, resolved.home());
		return result;
	}

	private static void setHome(Map<String, Object> process, List<String> env, boolean hasHome, String home) {
		if (!hasHome) {
			env.add("HOME=" + home);
		}
		process.put("env", env);
	}

	/** Docker's {@code User} resolved against the passwd and group files under {@code root}. */
	public static ProcessUser resolve(DirFd root, String user) {
		return UserResolution.resolve(user, List.of(), read(root));
	}

	private static UserDatabase read(Path rootfs) {
		try (DirFd root = DirFd.open(rootfs)) {
			return read(root);
		}
	}

	private static UserDatabase read(DirFd root) {
		return UserDatabase.parse(text(root.readFileInRoot("/etc/passwd", MAX_FILE_BYTES)),
				text(root.readFileInRoot("/etc/group", MAX_FILE_BYTES)));
	}

	private static String text(byte[] content) {
		return (content != null) ? new String(content, StandardCharsets.UTF_8) : null;
	}

}

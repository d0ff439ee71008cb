package dev.berth.agent.user;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Docker's {@code User} and {@code GroupAdd} turned into the credentials of a container process,
 * from the container's own user database. {@code User} is empty (root), {@code name},
 * {@code uid}, or either of those with {@code :group} or {@code :gid}. A number is always an id,
 * whether or not an entry has it (Docker runs such processes as they are); a name must have an
 * entry. Only an implicit group (no {@code :group}) brings the user's supplementary groups.
 */
public final class UserResolution {

	/** Docker's range for ids: the kernel allows more, Go's int32-based tools do not. */
	static final long MAX_ID = Integer.MAX_VALUE;

	private static final Pattern NUMBER = Pattern.compile("[+-]?[0-9]+");

	private UserResolution() {
	}

	/**
	 * The process's credentials and home directory.
	 *
	 * @throws UserLookupException with Docker's message when a name has no entry, or an id is
	 * out of range
	 */
	static ProcessUser resolve(String user, List<String> groupAdd, UserDatabase database) {
		String[] parts = user.split(":", -1);
		String userArg = parts[0];
		String groupArg = (parts.length > 1) ? parts[1] : "";
		Long uidArg = id(userArg);
		Long gidArg = id(groupArg);
		UserDatabase.PasswdEntry entry;
		if (userArg.isEmpty()) {
			entry = database.userByUid(0);
		}
		else if (uidArg != null) {
			entry = database.userByUid(uidArg);
		}
		else {
			entry = database.userByName(userArg);
			if (entry == null) {
				throw new UserLookupException("unable to find user " + userArg + ": no matching entries in passwd file");
			}
		}
		long uid = (entry != null) ? entry.uid() : (uidArg != null) ? uidArg : 0;
		long gid = (entry != null) ? entry.gid() : 0;
		List<Long> supplementary = List.of();
		if (!groupArg.isEmpty()) {
			gid = groupId(groupArg, gidArg, database);
		}
		else if (entry != null) {
			supplementary = database.groupsOf(entry.name());
		}
		List<Long> additional = new ArrayList<>();
		// the primary group first, as Docker lists it
		additional.add(gid);
		additional.addAll(supplementary);
		additional.addAll(additionalGroups(groupAdd, database));
		return new ProcessUser(uid, gid, additional, homeOf(entry));
	}

	/** The home directory of the user with this uid. */
	static String home(long uid, UserDatabase database) {
		return homeOf(database.userByUid(uid));
	}

	private static String homeOf(UserDatabase.PasswdEntry entry) {
		return (entry != null && !entry.home().isEmpty()) ? entry.home() : "/";
	}

	/** GroupAdd: names must exist, numbers need not; each group once. */
	static Set<Long> additionalGroups(List<String> groupAdd, UserDatabase database) {
		Set<Long> gids = new LinkedHashSet<>();
		for (String group : groupAdd) {
			gids.add(groupId(group, id(group), database));
		}
		return gids;
	}

	private static long groupId(String group, Long gid, UserDatabase database) {
		UserDatabase.GroupEntry entry = (gid != null) ? database.groupByGid(gid) : database.groupByName(group);
		if (entry != null) {
			return entry.gid();
		}
		if (gid == null) {
			throw new UserLookupException("unable to find group " + group + ": no matching entries in group file");
		}
		return gid;
	}

	/** The id a numeric argument names, or null when it is a name. */
	private static Long id(String text) {
		if (!NUMBER.matcher(text).matches()) {
			return null;
		}
		long value;
		try {
			value = Long.parseLong(text);
		}
		catch (NumberFormatException ex) {
			value = -1; // too long for a long: out of range as well
		}
		if (value < 0 || value > MAX_ID) {
			throw new UserLookupException("uids and gids must be in range 0-" + MAX_ID);
		}
		return value;
	}

}

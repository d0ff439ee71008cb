package dev.berth.agent.user;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A container's {@code /etc/passwd} and {@code /etc/group}, read as Docker reads them: lines
 * split on {@code :}, missing fields empty, a number that does not parse taken as 0, blank lines
 * skipped, and the first matching entry winning.
 */
final class UserDatabase {

	private static final Pattern NUMBER = Pattern.compile("[+-]?[0-9]+");

	private final List<PasswdEntry> users;

	private final List<GroupEntry> groups;

	private UserDatabase(List<PasswdEntry> users, List<GroupEntry> groups) {
		this.users = users;
		this.groups = groups;
	}

	/** One line of passwd: {@code name:password:uid:gid:gecos:home:shell}. */
	record PasswdEntry(String name, long uid, long gid, String home) {
	}

	/** One line of group: {@code name:password:gid:member,member}. */
	record GroupEntry(String name, long gid, List<String> members) {
	}

	/** Either file may be absent (null): no entries. */
	static UserDatabase parse(String passwd, String group) {
		List<PasswdEntry> users = new ArrayList<>();
		for (String[] fields : lines(passwd)) {
			users.add(new PasswdEntry(field(fields, 0), number(field(fields, 2)), number(field(fields, 3)),
					field(fields, 5)));
		}
		List<GroupEntry> groups = new ArrayList<>();
		for (String[] fields : lines(group)) {
			String members = field(fields, 3);
			groups.add(new GroupEntry(field(fields, 0), number(field(fields, 2)),
					members.isEmpty() ? List.of() : List.of(members.split(",", -1))));
		}
		return new UserDatabase(users, groups);
	}

	PasswdEntry userByName(String name) {
		return this.users.stream().filter((u) -> u.name().equals(name)).findFirst().orElse(null);
	}

	PasswdEntry userByUid(long uid) {
		return this.users.stream().filter((u) -> u.uid() == uid).findFirst().orElse(null);
	}

	GroupEntry groupByName(String name) {
		return this.groups.stream().filter((g) -> g.name().equals(name)).findFirst().orElse(null);
	}

	GroupEntry groupByGid(long gid) {
		return this.groups.stream().filter((g) -> g.gid() == gid).findFirst().orElse(null);
	}

	/** The groups that list {@code user} as a member: the user's supplementary groups. */
	List<Long> groupsOf(String user) {
		return this.groups.stream().filter((g) -> g.members().contains(user)).map(GroupEntry::gid).toList();
	}

	private static List<String[]> lines(String content) {
		List<String[]> lines = new ArrayList<>();
		if (content == null) {
			return lines;
		}
		for (String line : content.split("\n")) {
			String trimmed = line.strip();
			if (!trimmed.isEmpty()) {
				lines.add(trimmed.split(":", -1));
			}
		}
		return lines;
	}

	private static String field(String[] fields, int index) {
		return (index < fields.length) ? fields[index] : "";
	}

	private static long number(String text) {
		if (!NUMBER.matcher(text).matches()) {
			return 0;
		}
		try {
			return Long.parseLong(text);
		}
		catch (NumberFormatException ex) {
			return 0;
		}
	}

}

package dev.berth.agent.user;

import java.util.List;

/**
 * A container process's credentials, in the spec's terms.
 *
 * @param additionalGids the primary group, the user's supplementary groups, then GroupAdd's
 * @param home the user's home directory from passwd; {@code /} without an entry
 */
public record ProcessUser(long uid, long gid, List<Long> additionalGids, String home) {
}

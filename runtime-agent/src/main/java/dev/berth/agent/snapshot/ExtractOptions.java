package dev.berth.agent.snapshot;

/**
 * How an archive is extracted into a directory that already has files (docker cp into a
 * container), as opposed to unpacking an image layer into an empty one: {@code .wh.} names are
 * ordinary files there, and Docker's two options apply.
 *
 * @param noOverwriteDirNonDir refuse an entry that would replace a directory with a non-directory
 * or the other way round, with Docker's message
 * @param owner when set, every entry gets this owner instead of the archive's (docker cp -a)
 */
public record ExtractOptions(boolean noOverwriteDirNonDir, Owner owner) {

	/** A uid and gid every extracted entry gets. */
	public record Owner(long uid, long gid) {
	}

}

package dev.berth.agent.snapshot;

/** A container that has a snapshot already. */
public class SnapshotExistsException extends SnapshotException {

	public SnapshotExistsException(String key) {
		super("key: a snapshot for \"" + key + "\" exists already");
	}

}

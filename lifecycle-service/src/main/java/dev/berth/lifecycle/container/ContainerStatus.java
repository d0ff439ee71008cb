package dev.berth.lifecycle.container;

import java.util.Locale;

/** Docker's {@code State.Status}; {@link #wireName()} is what the API and the database carry. */
public enum ContainerStatus {

	CREATED, RUNNING, PAUSED, RESTARTING, REMOVING, EXITED, DEAD;

	public String wireName() {
		return name().toLowerCase(Locale.ROOT);
	}

	static ContainerStatus ofWireName(String wireName) {
		return valueOf(wireName.toUpperCase(Locale.ROOT));
	}

}

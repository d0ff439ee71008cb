package dev.berth.runtime.shim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import dev.berth.runtime.spec.Json;
import dev.berth.runtime.spec.JsonObject;

/** How a process ended: its exit code (128 + signal when killed), when, and whether by the OOM killer. */
public record ExitStatus(int code, long exitedAtNanos, boolean oomKilled) {

	/** What is reported for a process whose end nobody saw (the shim was down): like containerd, 255. */
	static ExitStatus unknown() {
		return new ExitStatus(255, System.currentTimeMillis() * 1_000_000L, false);
	}

	void save(Path file) throws IOException {
		Files.createDirectories(file.getParent());
		Path temp = file.resolveSibling(file.getFileName() + ".tmp");
		Files.writeString(temp, Json.write(Json.obj("code", this.code, "exitedAt", this.exitedAtNanos, "oomKilled",
				this.oomKilled)));
		Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
	}

	static ExitStatus load(Path file) throws IOException {
		JsonObject o = JsonObject.parse(Files.readString(file));
		return new ExitStatus((int) o.integer("code", 255), o.integer("exitedAt", 0), o.bool("oomKilled", false));
	}

}

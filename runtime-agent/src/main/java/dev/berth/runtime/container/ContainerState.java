package dev.berth.runtime.container;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.berth.runtime.spec.Json;
import dev.berth.runtime.spec.JsonObject;

/**
 * What the runtime remembers of a container between commands: {@code <root>/<id>/state.json},
 * written atomically. The init's start time guards against a recycled pid.
 */
public record ContainerState(String id, int pid, long pidStartTime, String bundle, String rootfs, String created,
		String cgroupsPath, Map<String, String> annotations) {

	static final String FILE = "state.json";

	void save(Path dir) {
		Map<String, Object> json = new LinkedHashMap<>();
		json.put("id", this.id);
		json.put("pid", this.pid);
		json.put("pidStartTime", this.pidStartTime);
		json.put("bundle", this.bundle);
		json.put("rootfs", this.rootfs);
		json.put("created", this.created);
		json.put("cgroupsPath", this.cgroupsPath);
		json.put("annotations", this.annotations);
		try {
			Path temp = dir.resolve(FILE + ".tmp");
			Files.writeString(temp, Json.write(json));
			Files.move(temp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot save the state of " + this.id, ex);
		}
	}

	static ContainerState load(Path dir) {
		String text;
		try {
			text = Files.readString(dir.resolve(FILE));
		}
		catch (NoSuchFileException ex) {
			return null;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		JsonObject o = JsonObject.parse(text);
		return new ContainerState(o.requiredString("id"), (int) o.integer("pid", 0), o.integer("pidStartTime", 0),
				o.string("bundle", ""), o.string("rootfs", ""), o.string("created", ""), o.string("cgroupsPath", ""),
				o.stringMap("annotations"));
	}

}

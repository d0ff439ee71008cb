package dev.berth.engine.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The images the registry tests push: OCI image layouts built by {@code scripts/registry-fixtures.sh} with umoci and
 * skopeo from Debian's busybox, never by Berth. The script's header says what each one holds. They are built once per
 * build, under {@code engine-service/target/registry-fixtures} or the directory named by the system property
 * {@value #DIRECTORY_PROPERTY}, and the script skips the work while its stamp there is current.
 */
public final class Fixtures {

	/** One gzip layer of busybox with its applets, {@code /etc/passwd}, Cmd {@code ["sh"]}; linux/amd64. */
	public static final String BUSYBOX = "busybox";

	/** {@link #BUSYBOX} with its layer compressed with zstd ({@code application/vnd.oci.image.layer.v1.tar+zstd}). */
	public static final String BUSYBOX_ZSTD = "busybox-zstd";

	/** Two layers; the upper one holds the whiteout {@code /a/.wh.remove-me} and the opaque {@code /opaque}. */
	public static final String LAYERED = "layered";

	/** An OCI index of linux/amd64 and linux/arm64, told apart by architecture and label {@value #PLATFORM_LABEL}. */
	public static final String MULTIARCH = "multiarch";

	/** {@link #BUSYBOX} plus a layer holding {@code /big/random}: 100 MiB that do not compress. */
	public static final String BIG = "big";

	/** Every fixture, in the order the script builds them. */
	public static final List<String> ALL = List.of(BUSYBOX, BUSYBOX_ZSTD, LAYERED, MULTIARCH, BIG);

	/** The tag each fixture's image has in its layout. */
	public static final String TAG = "latest";

	/** The label that says which platform of {@link #MULTIARCH} a config belongs to ({@code amd64} or {@code arm64}). */
	public static final String PLATFORM_LABEL = "dev.berth.platform";

	/** The system property that moves the fixtures out of {@code engine-service/target}. */
	public static final String DIRECTORY_PROPERTY = "berth.test.fixtures";

	private static final String SCRIPT = "scripts/registry-fixtures.sh";

	private static Path built;

	private Fixtures() {
	}

	/** The OCI layout of the fixture {@code name}, the fixtures built first if need be. */
	public static Path layout(String name) {
		if (!ALL.contains(name)) {
			throw new IllegalArgumentException("no fixture " + name + "; there are " + ALL);
		}
		return directory().resolve(name);
	}

	/** The directory of all fixture layouts, built first if need be. */
	public static synchronized Path directory() {
		if (built == null) {
			Path root = repositoryRoot();
			String property = System.getProperty(DIRECTORY_PROPERTY);
			Path directory = (property != null) ? Path.of(property).toAbsolutePath()
					: root.resolve("engine-service/target/registry-fixtures");
			Processes.run(List.of(root.resolve(SCRIPT).toString(), directory.toString()));
			built = directory;
		}
		return built;
	}

	// Surefire runs in engine-service, an IDE perhaps in the repository root: look upwards for the script.
	private static Path repositoryRoot() {
		for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
			if (Files.isExecutable(dir.resolve(SCRIPT))) {
				return dir;
			}
		}
		throw new IllegalStateException(SCRIPT + " is not in " + Path.of("").toAbsolutePath() + " or above it");
	}

}

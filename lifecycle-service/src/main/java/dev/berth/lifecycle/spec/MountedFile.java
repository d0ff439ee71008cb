package dev.berth.lifecycle.spec;

/**
 * A file the node writes into the container's directory and bind-mounts into the container:
 * /etc/hostname, /etc/hosts, /etc/resolv.conf (the agent's {@code ContainerFile}).
 *
 * @param name a plain file name inside the container's directory
 * @param content the bytes to write
 * @param target where the container sees it
 * @param readOnly read-only inside the container (with a read-only root file system)
 */
public record MountedFile(String name, byte[] content, String target, boolean readOnly) {

	public MountedFile {
		content = content.clone();
	}

	@Override
	public byte[] content() {
		return this.content.clone();
	}

}

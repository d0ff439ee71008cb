package dev.berth.runtime.linux;

import java.nio.charset.StandardCharsets;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;

/**
 * Unix stream sockets at the descriptor level, for what {@code java.nio} cannot do: handing an open
 * descriptor (a pty master) to another process with {@code SCM_RIGHTS}, as runc's
 * {@code --console-socket} protocol does.
 */
public final class UnixSockets {

	private static final int AF_UNIX = 1;

	private static final int SOCK_STREAM = 1;

	private static final int SOCK_CLOEXEC = 0x80000;

	private static final int SOL_SOCKET = 1;

	private static final int SCM_RIGHTS = 1;

	private static final int SUN_PATH_MAX = 107;

	private static final int MSG_CMSG_CLOEXEC = 0x40000000;

	private UnixSockets() {
	}

	public static int connect(String path) {
		int fd = socket();
		Memory address = address(path);
		try {
			LibC.connect(fd, address, (int) address.size());
			return fd;
		}
		catch (LastErrorException ex) {
			Kernel.close(fd);
			throw new SyscallException("connect", path, ex.getErrorCode());
		}
	}

	/** A connected pair of unix stream sockets, both close-on-exec. */
	public static int[] pair() {
		int[] fds = new int[2];
		try {
			LibC.socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds);
			return fds;
		}
		catch (LastErrorException ex) {
			throw new SyscallException("socketpair", "AF_UNIX", ex.getErrorCode());
		}
	}

	public static int listen(String path) {
		int fd = socket();
		Memory address = address(path);
		try {
			LibC.bind(fd, address, (int) address.size());
			LibC.listen(fd, 16);
			return fd;
		}
		catch (LastErrorException ex) {
			Kernel.close(fd);
			throw new SyscallException("bind", path, ex.getErrorCode());
		}
	}

	public static int accept(int listener) {
		try {
			return LibC.accept4(listener, null, null, SOCK_CLOEXEC);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("accept", "fd " + listener, ex.getErrorCode());
		}
	}

	/** Sends {@code fd} over {@code socket}, with a short text (runc sends the console's path). */
	public static void sendDescriptor(int socket, int fd, String text) {
		byte[] payload = text.isEmpty() ? new byte[] { 0 } : text.getBytes(StandardCharsets.UTF_8);
		sendDescriptors(socket, new int[] { fd }, payload);
	}

	/** Sends descriptors with a payload of at least one byte in one message ({@code SCM_RIGHTS}). */
	public static void sendDescriptors(int socket, int[] fds, byte[] payload) {
		Memory data = new Memory(payload.length);
		data.write(0, payload, 0, payload.length);
		Memory iov = new Memory(16);
		iov.setPointer(0, data);
		iov.setLong(8, payload.length);
		int controlLength = 16 + 4 * fds.length; // CMSG_LEN
		Memory control = new Memory((controlLength + 7) & ~7); // CMSG_SPACE
		control.clear();
		control.setLong(0, controlLength);
		control.setInt(8, SOL_SOCKET);
		control.setInt(12, SCM_RIGHTS);
		for (int i = 0; i < fds.length; i++) {
			control.setInt(16 + 4L * i, fds[i]);
		}
		Memory message = message(iov, control);
		try {
			LibC.sendmsg(socket, message, 0);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("sendmsg", "fd " + socket, ex.getErrorCode());
		}
	}

	/** Receives a descriptor sent with {@link #sendDescriptor}; -1 if the message carried none. */
	public static int receiveDescriptor(int socket) {
		Received received = receiveDescriptors(socket, 1, 4096);
		return (received.fds().length > 0) ? received.fds()[0] : -1;
	}

	/**
	 * Receives one message with up to {@code maxFds} descriptors (close-on-exec) and up to
	 * {@code maxBytes} of payload. An empty payload and no descriptors: the peer closed.
	 */
	public static Received receiveDescriptors(int socket, int maxFds, int maxBytes) {
		Memory data = new Memory(maxBytes);
		Memory iov = new Memory(16);
		iov.setPointer(0, data);
		iov.setLong(8, maxBytes);
		Memory control = new Memory(((16 + 4L * maxFds) + 7) & ~7);
		control.clear();
		Memory message = message(iov, control);
		long length;
		while (true) {
			try {
				length = LibC.recvmsg(socket, message, MSG_CMSG_CLOEXEC);
				break;
			}
			catch (LastErrorException ex) {
				if (ex.getErrorCode() != Errno.EINTR) {
					throw new SyscallException("recvmsg", "fd " + socket, ex.getErrorCode());
				}
			}
		}
		int[] fds = new int[0];
		long controlLength = message.getLong(40);
		if (controlLength >= 20 && control.getInt(8) == SOL_SOCKET && control.getInt(12) == SCM_RIGHTS) {
			fds = new int[(int) ((control.getLong(0) - 16) / 4)];
			for (int i = 0; i < fds.length; i++) {
				fds[i] = control.getInt(16 + 4L * i);
			}
		}
		return new Received(fds, data.getByteArray(0, (int) Math.max(0, length)));
	}

	/** What {@link #receiveDescriptors} got. */
	public record Received(int[] fds, byte[] data) {
	}

	private static Memory message(Memory iov, Memory control) {
		// struct msghdr on LP64: name, namelen, iov, iovlen, control, controllen, flags
		Memory message = new Memory(56);
		message.clear();
		message.setPointer(16, iov);
		message.setLong(24, 1);
		message.setPointer(32, control);
		message.setLong(40, control.size());
		return message;
	}

	private static int socket() {
		try {
			return LibC.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("socket", "AF_UNIX", ex.getErrorCode());
		}
	}

	private static Memory address(String path) {
		byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
		if (bytes.length > SUN_PATH_MAX) {
			throw new IllegalArgumentException("socket path longer than " + SUN_PATH_MAX + " bytes: " + path);
		}
		Memory address = new Memory(2 + bytes.length + 1);
		address.clear();
		address.setShort(0, (short) AF_UNIX);
		address.write(2, bytes, 0, bytes.length);
		return address;
	}

}

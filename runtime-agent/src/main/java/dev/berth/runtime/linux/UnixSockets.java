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
		Memory data = new Memory(payload.length);
		data.write(0, payload, 0, payload.length);
		Memory iov = new Memory(16);
		iov.setPointer(0, data);
		iov.setLong(8, payload.length);
		Memory control = new Memory(24);
		control.clear();
		control.setLong(0, 20); // CMSG_LEN(sizeof(int))
		control.setInt(8, SOL_SOCKET);
		control.setInt(12, SCM_RIGHTS);
		control.setInt(16, fd);
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
		Memory data = new Memory(4096);
		Memory iov = new Memory(16);
		iov.setPointer(0, data);
		iov.setLong(8, data.size());
		Memory control = new Memory(64);
		control.clear();
		Memory message = message(iov, control);
		long received;
		try {
			received = LibC.recvmsg(socket, message, MSG_CMSG_CLOEXEC);
		}
		catch (LastErrorException ex) {
			throw new SyscallException("recvmsg", "fd " + socket, ex.getErrorCode());
		}
		if (received < 0 || message.getLong(40) < 20 || control.getInt(8) != SOL_SOCKET
				|| control.getInt(12) != SCM_RIGHTS) {
			return -1;
		}
		return control.getInt(16);
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

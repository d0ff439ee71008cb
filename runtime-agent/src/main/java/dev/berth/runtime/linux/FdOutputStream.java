package dev.berth.runtime.linux;

import java.io.OutputStream;
import java.util.Arrays;

import com.sun.jna.LastErrorException;

/** Writes to a descriptor the stream owns; closing the stream closes the descriptor. */
final class FdOutputStream extends OutputStream {

	private final int fd;

	private final String path;

	private boolean closed;

	FdOutputStream(int fd, String path) {
		this.fd = fd;
		this.path = path;
	}

	@Override
	public void write(int b) {
		write(new byte[] { (byte) b }, 0, 1);
	}

	@Override
	public void write(byte[] data, int offset, int length) {
		int from = offset;
		int left = length;
		while (left > 0) {
			// JNA hands a Java array over from its first element: a partial write leaves a tail to copy
			byte[] chunk = (from == 0) ? data : Arrays.copyOfRange(data, from, from + left);
			try {
				int written = (int) LibC.write(this.fd, chunk, left);
				from += written;
				left -= written;
			}
			catch (LastErrorException ex) {
				if (ex.getErrorCode() != Errno.EINTR) {
					throw new SyscallException("write", this.path, ex.getErrorCode());
				}
			}
		}
	}

	@Override
	public void close() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		try {
			LibC.close(this.fd);
		}
		catch (LastErrorException ex) {
			// some filesystems report a failed write-back only here: the file is not what was written
			if (ex.getErrorCode() != Errno.EINTR) {
				throw new SyscallException("close", this.path, ex.getErrorCode());
			}
		}
	}

}

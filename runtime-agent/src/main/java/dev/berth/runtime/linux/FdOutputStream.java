package dev.berth.runtime.linux;

import java.io.OutputStream;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;

/**
 * Writes to a descriptor the stream owns; closing the stream closes the descriptor. Bytes go
 * through a native buffer of the stream's own: JNA would copy a whole Java array in and back out
 * for every call, whatever part of it is written.
 */
final class FdOutputStream extends OutputStream {

	private static final int MAX_CHUNK = 64 * 1024;

	private final int fd;

	private final String path;

	private Memory buffer;

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
			int chunk = Math.min(left, MAX_CHUNK);
			if (this.buffer == null || this.buffer.size() < chunk) {
				// sized by the first write: most files in a layer are small
				this.buffer = new Memory(chunk);
			}
			this.buffer.write(0, data, from, chunk);
			writeFully(chunk);
			from += chunk;
			left -= chunk;
		}
	}

	private void writeFully(int count) {
		int done = 0;
		while (done < count) {
			try {
				done += (int) LibC.write(this.fd, this.buffer.share(done), count - done);
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
		if (this.buffer != null) {
			this.buffer.close();
		}
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

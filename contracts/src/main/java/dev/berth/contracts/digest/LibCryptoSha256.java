package dev.berth.contracts.digest;

import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.security.MessageDigest;

/**
 * SHA-256 by libcrypto's EVP interface: one {@code EVP_MD_CTX} per digest, freed when the digest
 * is collected. The bytes are hashed where they lie in the Java array.
 */
final class LibCryptoSha256 extends MessageDigest {

	private static final int LENGTH = 32;

	private static final Cleaner CONTEXTS = Cleaner.create();

	private final MemorySegment context;

	LibCryptoSha256() {
		super("SHA-256");
		this.context = newContext();
		freeWith(this, this.context);
		init();
	}

	private LibCryptoSha256(LibCryptoSha256 original) {
		super("SHA-256");
		this.context = newContext();
		freeWith(this, this.context);
		check((int) invoke(() -> (int) LibCrypto.CTX_COPY.invokeExact(this.context, original.context)),
				"EVP_MD_CTX_copy_ex");
	}

	@Override
	protected int engineGetDigestLength() {
		return LENGTH;
	}

	@Override
	protected void engineUpdate(byte input) {
		engineUpdate(new byte[] { input }, 0, 1);
	}

	@Override
	protected void engineUpdate(byte[] input, int offset, int length) {
		if (length == 0) {
			return;
		}
		MemorySegment bytes = MemorySegment.ofArray(input).asSlice(offset, length);
		check((int) invoke(() -> (int) LibCrypto.DIGEST_UPDATE.invokeExact(this.context, bytes, (long) length)),
				"EVP_DigestUpdate");
	}

	@Override
	protected byte[] engineDigest() {
		byte[] digest = new byte[LENGTH];
		MemorySegment out = MemorySegment.ofArray(digest);
		check((int) invoke(() -> (int) LibCrypto.DIGEST_FINAL.invokeExact(this.context, out, MemorySegment.NULL)),
				"EVP_DigestFinal_ex");
		// a MessageDigest is reset by digest()
		init();
		return digest;
	}

	@Override
	protected void engineReset() {
		init();
	}

	@Override
	public Object clone() {
		return new LibCryptoSha256(this);
	}

	private void init() {
		check((int) invoke(() -> (int) LibCrypto.DIGEST_INIT.invokeExact(this.context, LibCrypto.SHA256,
				MemorySegment.NULL)), "EVP_DigestInit_ex");
	}

	private static MemorySegment newContext() {
		MemorySegment context = (MemorySegment) invoke(() -> (MemorySegment) LibCrypto.CTX_NEW.invokeExact());
		if (context.equals(MemorySegment.NULL)) {
			throw new OutOfMemoryError("EVP_MD_CTX_new");
		}
		return context;
	}

	/** Frees {@code context} once {@code owner} is unreachable; the action holds the context only. */
	private static void freeWith(Object owner, MemorySegment context) {
		CONTEXTS.register(owner, () -> invoke(() -> {
			LibCrypto.CTX_FREE.invokeExact(context);
			return null;
		}));
	}

	private static void check(int status, String function) {
		if (status != 1) {
			throw new IllegalStateException(function + " failed");
		}
	}

	private static Object invoke(NativeCall call) {
		try {
			return call.call();
		}
		catch (RuntimeException | Error ex) {
			throw ex;
		}
		catch (Throwable ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** A downcall: method handles declare Throwable. */
	@FunctionalInterface
	private interface NativeCall {

		Object call() throws Throwable;

	}

}

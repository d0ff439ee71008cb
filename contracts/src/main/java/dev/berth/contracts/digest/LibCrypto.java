package dev.berth.contracts.digest;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The few functions of OpenSSL 3's libcrypto that {@link LibCryptoSha256} calls, bound through the
 * FFM API. {@link #AVAILABLE} is false when the library or a function is missing: SHA-256 then
 * comes from the JDK.
 */
final class LibCrypto {

	static final boolean AVAILABLE;

	/** {@code EVP_MD_CTX *EVP_MD_CTX_new(void)} */
	static final MethodHandle CTX_NEW;

	/** {@code void EVP_MD_CTX_free(EVP_MD_CTX *ctx)} */
	static final MethodHandle CTX_FREE;

	/** {@code int EVP_MD_CTX_copy_ex(EVP_MD_CTX *out, const EVP_MD_CTX *in)} */
	static final MethodHandle CTX_COPY;

	/** {@code int EVP_DigestInit_ex(EVP_MD_CTX *ctx, const EVP_MD *type, ENGINE *impl)} */
	static final MethodHandle DIGEST_INIT;

	/** {@code int EVP_DigestUpdate(EVP_MD_CTX *ctx, const void *d, size_t cnt)}, reading a Java array in place */
	static final MethodHandle DIGEST_UPDATE;

	/** {@code int EVP_DigestFinal_ex(EVP_MD_CTX *ctx, unsigned char *md, unsigned int *s)}, writing a Java array */
	static final MethodHandle DIGEST_FINAL;

	/** {@code EVP_sha256()}: the algorithm, a static object of the library's */
	static final MemorySegment SHA256;

	static {
		MethodHandle ctxNew = null;
		MethodHandle ctxFree = null;
		MethodHandle ctxCopy = null;
		MethodHandle init = null;
		MethodHandle update = null;
		MethodHandle digestFinal = null;
		MemorySegment sha256 = MemorySegment.NULL;
		boolean available = false;
		try {
			Linker linker = Linker.nativeLinker();
			// the global arena: the library stays loaded as long as the JVM
			SymbolLookup library = SymbolLookup.libraryLookup("libcrypto.so.3", Arena.global());
			// critical: the call reads or writes the Java array itself (no copy to native memory);
			// each is short and never calls back, as critical calls must be
			Linker.Option inPlace = Linker.Option.critical(true);
			ctxNew = linker.downcallHandle(library.findOrThrow("EVP_MD_CTX_new"), FunctionDescriptor.of(ADDRESS));
			ctxFree = linker.downcallHandle(library.findOrThrow("EVP_MD_CTX_free"), FunctionDescriptor.ofVoid(ADDRESS));
			ctxCopy = linker.downcallHandle(library.findOrThrow("EVP_MD_CTX_copy_ex"),
					FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
			init = linker.downcallHandle(library.findOrThrow("EVP_DigestInit_ex"),
					FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
			update = linker.downcallHandle(library.findOrThrow("EVP_DigestUpdate"),
					FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG), inPlace);
			digestFinal = linker.downcallHandle(library.findOrThrow("EVP_DigestFinal_ex"),
					FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS), inPlace);
			sha256 = (MemorySegment) linker
				.downcallHandle(library.findOrThrow("EVP_sha256"), FunctionDescriptor.of(ADDRESS))
				.invokeExact();
			available = !sha256.equals(MemorySegment.NULL);
		}
		catch (Throwable ex) {
			// no libcrypto 3 (or no native access): the JDK's SHA-256 it is
		}
		CTX_NEW = ctxNew;
		CTX_FREE = ctxFree;
		CTX_COPY = ctxCopy;
		DIGEST_INIT = init;
		DIGEST_UPDATE = update;
		DIGEST_FINAL = digestFinal;
		SHA256 = sha256;
		AVAILABLE = available;
	}

	private LibCrypto() {
	}

}

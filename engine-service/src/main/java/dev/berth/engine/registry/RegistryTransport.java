package dev.berth.engine.registry;

import java.net.http.HttpClient;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The HTTP clients registries are reached with: one that verifies certificates, and one for
 * registries the operator declared insecure. Both use HTTP/1.1, so each parallel layer download
 * gets its own connection rather than sharing one HTTP/2 stream window, and neither follows
 * redirects: {@link RegistrySession} follows them itself so that credentials never go to another
 * host.
 */
public final class RegistryTransport implements AutoCloseable {

	private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

	private final HttpClient verifying;

	private final HttpClient insecure;

	public RegistryTransport() {
		this.verifying = builder().build();
		this.insecure = builder().sslContext(trustingEverything()).build();
	}

	HttpClient client(Endpoint endpoint) {
		return endpoint.skipTlsVerify() ? this.insecure : this.verifying;
	}

	HttpClient verifying() {
		return this.verifying;
	}

	private HttpClient.Builder builder() {
		return HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.followRedirects(HttpClient.Redirect.NEVER)
			.connectTimeout(Duration.ofSeconds(15))
			.executor(this.executor);
	}

	/** dockerd's meaning of "insecure": TLS still encrypts, but the certificate is not checked. */
	private static SSLContext trustingEverything() {
		TrustManager trustAll = new X509ExtendedTrustManager() {
			@Override
			public void checkClientTrusted(X509Certificate[] chain, String authType) {
			}

			@Override
			public void checkServerTrusted(X509Certificate[] chain, String authType) {
			}

			@Override
			public void checkClientTrusted(X509Certificate[] chain, String authType, java.net.Socket socket) {
			}

			@Override
			public void checkServerTrusted(X509Certificate[] chain, String authType, java.net.Socket socket) {
			}

			@Override
			public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
			}

			@Override
			public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
			}

			@Override
			public X509Certificate[] getAcceptedIssuers() {
				return new X509Certificate[0];
			}
		};
		try {
			SSLContext context = SSLContext.getInstance("TLS");
			context.init(null, new TrustManager[] { trustAll }, new SecureRandom());
			return context;
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("cannot set up TLS for insecure registries", ex);
		}
	}

	@Override
	public void close() {
		this.verifying.close();
		this.insecure.close();
		this.executor.close();
	}

}

package dev.berth.engine.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The token server of a {@link TestRegistry} started with {@link TestRegistry.Auth#TOKEN}, in the role auth.docker.io
 * plays for Docker Hub. {@code GET /token?service=…&scope=repository:<name>:pull,push} answers
 * {@code {"token", "access_token", "expires_in", "issued_at"}}; the token is a JWT signed ES256 whose {@code x5c}
 * header carries a self-signed certificate, the one the registry's {@code rootcertbundle} trusts.
 * <p>
 * {@link TestRegistry#USERNAME} and {@link TestRegistry#PASSWORD} (HTTP basic) get every action they ask for;
 * a request without credentials gets {@code pull} on the repositories {@link #allowAnonymousPull allowed}, and a token
 * without access elsewhere, as Docker Hub answers for private repositories; wrong credentials get a 401. The service
 * must be the registry's ({@link TestRegistry#SERVICE}). {@code POST /token} with
 * {@code grant_type=refresh_token} and {@link #REFRESH_TOKEN} is the OAuth2 form clients use with an identity token.
 */
public final class TokenServer implements AutoCloseable {

	private static final Duration LIFETIME = Duration.ofMinutes(5);

	/** The identity token a login of {@link TestRegistry#USERNAME} would have handed out. */
	public static final String REFRESH_TOKEN = "berth-test-refresh-token";

	private final HttpServer server;

	private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

	private final KeyPair key;

	/** The certificate, DER in base64, as the x5c header wants it. */
	private final String certificate;

	private final Set<String> anonymousPull = ConcurrentHashMap.newKeySet();

	private final AtomicInteger issued = new AtomicInteger();

	private TokenServer(HttpServer server, KeyPair key, byte[] certificate) {
		this.server = server;
		this.key = key;
		this.certificate = Base64.getEncoder().encodeToString(certificate);
		server.createContext("/token", this::handle);
		server.setExecutor(this.executor);
		server.start();
	}

	/** Starts a token server on a free loopback port; writes its certificate (PEM) to {@code certificate}. */
	static TokenServer start(Path certificate) {
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
			generator.initialize(new ECGenParameterSpec("secp256r1"));
			KeyPair key = generator.generateKeyPair();
			byte[] der = selfSigned(key);
			Files.writeString(certificate, "-----BEGIN CERTIFICATE-----\n"
					+ Base64.getMimeEncoder(64, new byte[] { '\n' }).encodeToString(der) + "\n-----END CERTIFICATE-----\n");
			HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
			return new TokenServer(server, key, der);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (GeneralSecurityException | OperatorCreationException ex) {
			throw new IllegalStateException("cannot make the token server's certificate", ex);
		}
	}

	/** The URL the registry's challenge names as realm. */
	public URI realm() {
		return URI.create("http://" + this.server.getAddress().getHostString() + ":" + this.server.getAddress().getPort()
				+ "/token");
	}

	/** From now on, requests without credentials get {@code pull} on {@code repository} (e.g. {@code library/busybox}). */
	public void allowAnonymousPull(String repository) {
		this.anonymousPull.add(repository);
	}

	/** How many tokens this server has issued: a client that reuses its tokens asks for fewer. */
	public int issuedTokens() {
		return this.issued.get();
	}

	@Override
	public void close() {
		this.server.stop(0);
		this.executor.shutdownNow();
	}

	private void handle(HttpExchange exchange) throws IOException {
		try (exchange) {
			boolean post = exchange.getRequestMethod().equals("POST");
			if (!post && !exchange.getRequestMethod().equals("GET")) {
				respond(exchange, 405, error("UNSUPPORTED", "only GET and POST are supported"));
				return;
			}
			// GET takes its parameters in the query, the OAuth2 POST in a form body
			String parameters = post ? new String(exchange.getRequestBody().readNBytes(64 * 1024), StandardCharsets.UTF_8)
					: exchange.getRequestURI().getRawQuery();
			List<String> services = parameter(parameters, "service");
			if (!services.equals(List.of(TestRegistry.SERVICE))) {
				respond(exchange, 400,
						error("INVALID_REQUEST", "service must be " + TestRegistry.SERVICE + ", was " + services));
				return;
			}
			String authorization = exchange.getRequestHeaders().getFirst("Authorization");
			boolean authenticated = authorization != null;
			if (post) {
				// an identity token from a login, exchanged as an OAuth2 refresh token
				boolean refresh = parameter(parameters, "grant_type").equals(List.of("refresh_token"));
				authenticated = refresh && parameter(parameters, "refresh_token").equals(List.of(REFRESH_TOKEN));
				if (!authenticated) {
					respond(exchange, 401, error("UNAUTHORIZED", "invalid refresh token"));
					return;
				}
			}
			else if (authenticated && !authorization.equals(TestRegistry.basicAuthorization())) {
				exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"" + TestRegistry.ISSUER + "\"");
				respond(exchange, 401, error("UNAUTHORIZED", "incorrect username or password"));
				return;
			}
			List<String> access = new ArrayList<>();
			for (String parameter : parameter(parameters, "scope")) {
				// several scopes may share one parameter, separated by spaces (RFC 6749, 3.3)
				for (String scope : parameter.trim().split(" +")) {
					String grant = grant(scope, authenticated);
					if (grant == null) {
						respond(exchange, 400, error("INVALID_REQUEST", "invalid scope " + scope));
						return;
					}
					access.add(grant);
				}
			}
			Instant now = Instant.ofEpochSecond(Instant.now().getEpochSecond());
			String token = sign(authenticated ? TestRegistry.USERNAME : "", access, now);
			this.issued.incrementAndGet();
			respond(exchange, 200, "{\"token\":" + quote(token) + ",\"access_token\":" + quote(token) + ",\"expires_in\":"
					+ LIFETIME.toSeconds() + ",\"issued_at\":" + quote(now.toString()) + "}");
		}
	}

	/** The claim granting what {@code scope} ({@code type:name:actions}) asks, or null if it is malformed. */
	private String grant(String scope, boolean authenticated) {
		// the name sits between the first and the last colon: it may hold a registry's host:port itself
		int first = scope.indexOf(':');
		int last = scope.lastIndexOf(':');
		if (first <= 0 || last == first) {
			return null;
		}
		String type = scope.substring(0, first);
		String name = scope.substring(first + 1, last);
		List<String> asked = List.of(scope.substring(last + 1).split(","));
		List<String> granted;
		if (authenticated) {
			granted = asked;
		}
		else if (type.equals("repository") && this.anonymousPull.contains(name) && asked.contains("pull")) {
			granted = List.of("pull");
		}
		else {
			granted = List.of();
		}
		return "{\"type\":" + quote(type) + ",\"name\":" + quote(name) + ",\"actions\":["
				+ granted.stream().map(TokenServer::quote).collect(Collectors.joining(",")) + "]}";
	}

	private String sign(String subject, List<String> access, Instant now) {
		String header = "{\"typ\":\"JWT\",\"alg\":\"ES256\",\"x5c\":[" + quote(this.certificate) + "]}";
		String claims = "{\"iss\":" + quote(TestRegistry.ISSUER) + ",\"sub\":" + quote(subject) + ",\"aud\":"
				+ quote(TestRegistry.SERVICE) + ",\"exp\":" + now.plus(LIFETIME).getEpochSecond() + ",\"nbf\":"
				+ now.getEpochSecond() + ",\"iat\":" + now.getEpochSecond() + ",\"jti\":" + quote(UUID.randomUUID().toString())
				+ ",\"access\":[" + String.join(",", access) + "]}";
		String signed = base64Url(header.getBytes(StandardCharsets.UTF_8)) + "."
				+ base64Url(claims.getBytes(StandardCharsets.UTF_8));
		try {
			// JWS wants the ECDSA signature as R || S, not the DER sequence Java signs by default
			Signature signature = Signature.getInstance("SHA256withECDSAinP1363Format");
			signature.initSign(this.key.getPrivate());
			signature.update(signed.getBytes(StandardCharsets.US_ASCII));
			return signed + "." + base64Url(signature.sign());
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("cannot sign a token", ex);
		}
	}

	private static byte[] selfSigned(KeyPair key) throws OperatorCreationException, IOException {
		X500Name name = new X500Name("CN=" + TestRegistry.ISSUER);
		Instant now = Instant.now();
		return new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
				Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), name, key.getPublic())
			.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate()))
			.getEncoded();
	}

	/** The values of {@code name} in a query string or form body. */
	private static List<String> parameter(String query, String name) {
		List<String> values = new ArrayList<>();
		if (query != null) {
			for (String pair : query.split("&")) {
				int equals = pair.indexOf('=');
				String key = URLDecoder.decode((equals < 0) ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
				if (key.equals(name)) {
					values.add((equals < 0) ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
				}
			}
		}
		return values;
	}

	private static void respond(HttpExchange exchange, int status, String json) throws IOException {
		byte[] body = json.getBytes(StandardCharsets.UTF_8);
		exchange.getResponseHeaders().set("Content-Type", "application/json");
		exchange.sendResponseHeaders(status, body.length);
		exchange.getResponseBody().write(body);
	}

	private static String error(String code, String message) {
		return "{\"errors\":[{\"code\":" + quote(code) + ",\"message\":" + quote(message) + "}]}";
	}

	private static String base64Url(byte[] bytes) {
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

	/** A JSON string: the names in scopes come from the client, so they are escaped. */
	private static String quote(String text) {
		StringBuilder json = new StringBuilder("\"");
		for (char c : text.toCharArray()) {
			switch (c) {
				case '"', '\\' -> json.append('\\').append(c);
				default -> {
					if (c < 0x20) {
						json.append(String.format("\\u%04x", (int) c));
					}
					else {
						json.append(c);
					}
				}
			}
		}
		return json.append('"').toString();
	}

}

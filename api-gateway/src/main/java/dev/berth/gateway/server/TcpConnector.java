package dev.berth.gateway.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;

import org.apache.catalina.connector.Connector;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;
import org.apache.tomcat.util.net.jsse.PEMFile;

/**
 * A connector on a TCP address. Anyone who can reach the Docker API can start a privileged container, so a TCP host
 * without client certificates is refused unless it was asked for explicitly, and even then only on loopback. The PEM
 * files are read here, before Tomcat starts, so that a missing or broken one is a clear refusal.
 *
 * @param trustedCas the only CAs that client certificates may chain to (mutual TLS), else {@code null}
 */
record TcpConnector(DockerHost.Tcp host, TlsSettings tls, KeyStore trustedCas)
		implements DockerApiConnectors.ConnectorSetup {

	private static final Log logger = LogFactory.getLog(TcpConnector.class);

	// TLS 1.0 and 1.1 are broken; dockerd's minimum is 1.2 as well
	private static final String PROTOCOLS = "TLSv1.2+TLSv1.3";

	static TcpConnector prepare(DockerHost.Tcp host, TlsSettings tls) {
		if (!tls.mode().authenticatesClients()) {
			refuseUnlessAskedOnLoopback(host, tls);
		}
		if (tls.mode() == TlsSettings.Mode.PLAIN) {
			return new TcpConnector(host, tls, null);
		}
		if (pem("TLS certificate", tls.certificate()).getCertificates().isEmpty()) {
			throw empty("TLS certificate", tls.certificate(), "certificate");
		}
		if (pem("TLS key", tls.key()).getPrivateKey() == null) {
			throw empty("TLS key", tls.key(), "private key");
		}
		boolean mutual = tls.mode() == TlsSettings.Mode.MUTUAL_TLS;
		return new TcpConnector(host, tls, mutual ? trustStore(tls.caCertificate()) : null);
	}

	@Override
	public void applyTo(Connector connector) {
		connector.setPort(this.host.port());
		connector.setProperty("address", this.host.host());
		if (this.tls.mode() == TlsSettings.Mode.PLAIN) {
			return;
		}
		SSLHostConfig ssl = new SSLHostConfig();
		ssl.setProtocols(PROTOCOLS);
		SSLHostConfigCertificate certificate = new SSLHostConfigCertificate(ssl,
				SSLHostConfigCertificate.Type.UNDEFINED);
		certificate.setCertificateFile(this.tls.certificate().toString());
		certificate.setCertificateKeyFile(this.tls.key().toString());
		ssl.addCertificate(certificate);
		if (this.trustedCas != null) {
			// the handshake fails without a certificate that chains to one of these CAs, before any HTTP is read
			ssl.setCertificateVerification("required");
			ssl.setTrustStore(this.trustedCas);
		}
		connector.addSslHostConfig(ssl);
		connector.setProperty("SSLEnabled", "true");
		connector.setScheme("https");
		connector.setSecure(true);
	}

	@Override
	public String description() {
		return this.host + " (" + this.tls.mode()
				+ ((this.trustedCas != null) ? " against " + this.tls.caCertificate() : "") + ")";
	}

	private static void refuseUnlessAskedOnLoopback(DockerHost.Tcp host, TlsSettings tls) {
		if (tls.mode() == TlsSettings.Mode.PLAIN && !tls.plainAsked()) {
			throw new HostRefusedException("refusing to listen on " + host + " without TLS: whoever can connect gets"
					+ " root on this machine. Give --tlsverify with --tlscacert, --tlscert and --tlskey for mutual TLS, or"
					+ " --tls=false to ask for plain HTTP on a loopback address");
		}
		if (!isLoopback(host.host())) {
			throw new HostRefusedException("refusing to listen on " + host + " (" + tls.mode() + "): without"
					+ " --tlsverify a TCP host must be a loopback address (127.0.0.1, [::1], localhost)");
		}
		// dockerd's warning, in its words, for those who look for it in the log
		logger.warn("Binding to IP address without --tlsverify is insecure and gives root access on this machine to"
				+ " everyone who has access to your network. host=\"" + host + "\"");
		logger.warn("A loopback address keeps other machines out, not other users of this one, nor scripts that a"
				+ " browser runs. host=\"" + host + "\"");
	}

	private static boolean isLoopback(String host) {
		try {
			// the address Tomcat will bind: a name resolves to the first of its addresses
			return InetAddress.getByName(host).isLoopbackAddress();
		}
		catch (UnknownHostException ex) {
			throw new HostRefusedException("cannot resolve the host of tcp://" + host + ": " + ex.getMessage(), ex);
		}
	}

	private static PEMFile pem(String what, Path file) {
		try {
			return new PEMFile(file.toString());
		}
		catch (IOException | GeneralSecurityException | IllegalArgumentException ex) {
			throw new HostRefusedException("could not read " + what + " \"" + file + "\": " + ex, ex);
		}
	}

	private static HostRefusedException empty(String what, Path file, String missing) {
		return new HostRefusedException("could not read " + what + " \"" + file + "\": it holds no " + missing);
	}

	/** Only the CAs of the file: dockerd does not fall back on the system's roots either. */
	private static KeyStore trustStore(Path caFile) {
		List<X509Certificate> cas = pem("CA certificate", caFile).getCertificates();
		if (cas.isEmpty()) {
			throw empty("CA certificate", caFile, "certificate");
		}
		try {
			KeyStore store = KeyStore.getInstance("PKCS12");
			store.load(null, null);
			for (int i = 0; i < cas.size(); i++) {
				store.setCertificateEntry("ca-" + i, cas.get(i));
			}
			return store;
		}
		catch (IOException | GeneralSecurityException ex) {
			throw new IllegalStateException("cannot hold CA certificates in a key store", ex);
		}
	}

}

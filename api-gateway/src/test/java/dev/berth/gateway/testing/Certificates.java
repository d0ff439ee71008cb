package dev.berth.gateway.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificate authorities and the certificates they issue, written as the PEM files that dockerd's {@code --tlscacert},
 * {@code --tlscert} and {@code --tlskey} (and the CLI's flags of the same names) take: a server certificate for
 * 127.0.0.1 and localhost, client certificates for {@code clientAuth}.
 */
public final class Certificates {

	private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

	private Certificates() {
	}

	/** A CA: its key signs, its certificate ({@code ca.pem}) is what the other side trusts. */
	public record Authority(String name, KeyPair keys, X509Certificate certificate) {

		/** The server's certificate and key, with an RSA key in the PKCS#1 form {@code openssl genrsa} long wrote. */
		public Issued server(Path directory) {
			KeyPair keys = generate("RSA", 2048);
			GeneralNames names = new GeneralNames(new GeneralName[] {
					new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.iPAddress, "::1"),
					new GeneralName(GeneralName.dNSName, "localhost") });
			X509Certificate certificate = issue(this, "CN=berth-test-server", keys, false,
					KeyPurposeId.id_kp_serverAuth, names);
			return Issued.write(directory, "server", certificate, keys, false);
		}

		/** A client's certificate and key, with an EC key in PKCS#8 form. */
		public Issued client(Path directory) {
			KeyPair keys = generate("EC", 256);
			X509Certificate certificate = issue(this, "CN=berth-test-client", keys, false,
					KeyPurposeId.id_kp_clientAuth, null);
			return Issued.write(directory, "client", certificate, keys, true);
		}

		/** Writes {@code ca.pem} into {@code directory}. */
		public Path write(Path directory) {
			return Issued.pem(directory.resolve("ca.pem"), this.certificate);
		}

	}

	/** A certificate and its key, as files. */
	public record Issued(Path certificate, Path key) {

		private static Issued write(Path directory, String name, X509Certificate certificate, KeyPair keys,
				boolean pkcs8) {
			Path key = directory.resolve(name + "-key.pem");
			try {
				pem(key, pkcs8 ? new JcaPKCS8Generator(keys.getPrivate(), null) : keys.getPrivate());
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			return new Issued(pem(directory.resolve(name + "-cert.pem"), certificate), key);
		}

		private static Path pem(Path file, Object object) {
			try {
				Files.createDirectories(file.getParent());
				try (Writer out = Files.newBufferedWriter(file); JcaPEMWriter pem = new JcaPEMWriter(out)) {
					pem.writeObject(object);
				}
				return file;
			}
			catch (IOException ex) {
				throw new UncheckedIOException("cannot write " + file, ex);
			}
		}

	}

	public static Authority authority(String name) {
		KeyPair keys = generate("EC", 256);
		Authority self = new Authority(name, keys, null);
		return new Authority(name, keys, issue(self, "CN=" + name, keys, true, null, null));
	}

	private static X509Certificate issue(Authority issuer, String subject, KeyPair keys, boolean ca,
			KeyPurposeId purpose, GeneralNames names) {
		Instant now = Instant.now();
		X500Name issuerName = new X500Name("CN=" + issuer.name());
		JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName,
				BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
				Date.from(now.plus(Duration.ofDays(1))), new X500Name(subject), keys.getPublic());
		try {
			builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
			int usage = ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign
					: KeyUsage.digitalSignature | KeyUsage.keyEncipherment;
			builder.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
			if (purpose != null) {
				builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
			}
			if (names != null) {
				builder.addExtension(Extension.subjectAlternativeName, false, names);
			}
			return new JcaX509CertificateConverter().getCertificate(
					builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.keys().getPrivate())));
		}
		catch (CertIOException | OperatorCreationException | GeneralSecurityException ex) {
			throw new IllegalStateException("cannot issue " + subject, ex);
		}
	}

	private static KeyPair generate(String algorithm, int size) {
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
			generator.initialize(size);
			return generator.generateKeyPair();
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

}

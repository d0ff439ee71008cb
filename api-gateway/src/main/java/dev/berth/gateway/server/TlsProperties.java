package dev.berth.gateway.server;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * dockerd's TLS flags, under the gateway's prefix beside {@code berth.gateway.hosts} ({@code berth.gateway.tlsverify}
 * and so on): how the TCP hosts speak. {@link TlsSettings} says how they combine.
 *
 * @param tls {@code --tls}: TLS on the TCP hosts, with client certificates verified unless {@code tlsverify} is false;
 * {@code false} asks for plain HTTP (loopback only); unset is neither
 * @param tlsverify {@code --tlsverify}: set at all, TLS is on; true requires client certificates that chain to
 * {@code tlscacert}
 * @param tlscacert the CA (PEM) that client certificates must chain to; default {@code ~/.docker/ca.pem}, as dockerd's
 * @param tlscert the server's certificate (PEM); default {@code ~/.docker/cert.pem}
 * @param tlskey the server's private key (PEM); default {@code ~/.docker/key.pem}
 */
@ConfigurationProperties("berth.gateway")
record TlsProperties(Boolean tls, Boolean tlsverify, String tlscacert, String tlscert, String tlskey) {
}

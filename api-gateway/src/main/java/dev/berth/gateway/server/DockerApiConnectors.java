package dev.berth.gateway.server;

import java.util.List;

import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardHost;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

import dev.berth.gateway.GatewayProperties;

/**
 * Puts Tomcat's connectors where dockerd's {@code -H} hosts say ({@code berth.gateway.hosts}): unix sockets and TCP
 * addresses, the TCP ones with the TLS of {@code berth.gateway.tls*}. The first host takes the default connector, every
 * further one gets a connector of its own. Only these connectors serve the Docker API: the actuator has a loopback port
 * of its own ({@code management.server.port}), in a child context that this customizer does not reach.
 */
@Component
@EnableConfigurationProperties(TlsProperties.class)
class DockerApiConnectors implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

	private static final Log logger = LogFactory.getLog(DockerApiConnectors.class);

	private final List<DockerHost> hosts;

	private final TlsSettings tls;

	DockerApiConnectors(GatewayProperties properties, TlsProperties tls) {
		this.hosts = properties.hosts().stream().map(DockerHost::parse).toList();
		this.tls = TlsSettings.of(tls);
	}

	@Override
	public void customize(TomcatServletWebServerFactory factory) {
		factory.addContextCustomizers((context) -> ((StandardHost) context.getParent())
			.setErrorReportValveClass(DockerErrorReportValve.class.getName()));
		// every check before any connector exists: a refused host must not leave a socket of the others behind
		List<ConnectorSetup> setups = this.hosts.stream().map(this::setup).toList();
		for (int i = 0; i < setups.size(); i++) {
			ConnectorSetup setup = setups.get(i);
			if (i == 0) {
				factory.addConnectorCustomizers(setup::applyTo);
			}
			else {
				Connector connector = new Connector(factory.getProtocol());
				setup.applyTo(connector);
				factory.addAdditionalConnectors(connector);
			}
			logger.info("API listening on " + setup.description());
		}
	}

	private ConnectorSetup setup(DockerHost host) {
		return switch (host) {
			case DockerHost.Unix unix -> UnixSocketConnector.prepare(unix);
			case DockerHost.Tcp tcp -> TcpConnector.prepare(tcp, this.tls);
		};
	}

	/** What one host needs from its connector, checked and read before Tomcat starts. */
	interface ConnectorSetup {

		void applyTo(Connector connector);

		/** The host and how it speaks, for the log. */
		String description();

	}

}

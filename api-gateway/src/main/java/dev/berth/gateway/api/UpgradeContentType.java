package dev.berth.gateway.api;

import java.io.IOException;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;

import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

/**
 * Keeps the Content-Type of a {@code 101}. Docker's hijacked answers name their stream in it
 * ({@code application/vnd.docker.multiplexed-stream}), but Tomcat writes a content type only for a response with a
 * body, and a 101 has none. A valve, which runs after the route and before Tomcat writes the status line, puts the
 * type among the raw headers, where Tomcat sends it as it is.
 */
@Component
class UpgradeContentType implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

	@Override
	public void customize(TomcatServletWebServerFactory factory) {
		factory.addContextValves(new Valve());
	}

	private static final class Valve extends ValveBase {

		Valve() {
			super(true);
		}

		@Override
		public void invoke(Request request, Response response) throws IOException, ServletException {
			getNext().invoke(request, response);
			String contentType = response.getContentType();
			if (response.getStatus() == HttpServletResponse.SC_SWITCHING_PROTOCOLS && contentType != null) {
				response.getCoyoteResponse().getMimeHeaders().setValue("Content-Type").setString(contentType);
			}
		}

	}

}

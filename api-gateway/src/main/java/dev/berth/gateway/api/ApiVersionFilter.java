package dev.berth.gateway.api;

import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Serves {@code /v1.xx/images/json} as {@code /images/json}, so routes are declared once, unversioned, as moby does.
 * The version asked for is kept in a request attribute; a version outside what the gateway speaks is refused with
 * dockerd's 400 and message before any route sees the request.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class ApiVersionFilter extends OncePerRequestFilter {

	private static final Pattern VERSIONED = Pattern.compile("^/v(\\d+\\.\\d+)(/.*)$");

	private final JsonMapper json;

	ApiVersionFilter(JsonMapper json) {
		this.json = json;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		Matcher versioned = VERSIONED.matcher(request.getRequestURI());
		if (!versioned.matches()) {
			request.setAttribute(ApiVersion.ATTRIBUTE, ApiVersion.CURRENT);
			chain.doFilter(request, response);
			return;
		}
		String version = versioned.group(1);
		if (ApiVersion.compare(version, ApiVersion.CURRENT) > 0) {
			reject(response, "client version " + version + " is too new. Maximum supported API version is "
					+ ApiVersion.CURRENT);
			return;
		}
		if (ApiVersion.compare(version, ApiVersion.MINIMUM) < 0) {
			reject(response, "client version " + version + " is too old. Minimum supported API version is "
					+ ApiVersion.MINIMUM + ", please upgrade your client to a newer version");
			return;
		}
		request.setAttribute(ApiVersion.ATTRIBUTE, version);
		chain.doFilter(new Unversioned(request, versioned.group(2)), response);
	}

	private void reject(HttpServletResponse response, String message) throws IOException {
		response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
		response.setContentType(MediaType.APPLICATION_JSON_VALUE);
		this.json.writeValue(response.getOutputStream(), new ErrorResponse(message));
	}

	/** The request as if it came without the version prefix; Spring MVC matches routes on the request URI. */
	private static final class Unversioned extends HttpServletRequestWrapper {

		private final String uri;

		Unversioned(HttpServletRequest request, String uri) {
			super(request);
			this.uri = uri;
		}

		@Override
		public String getRequestURI() {
			return this.uri;
		}

		@Override
		public String getServletPath() {
			return this.uri;
		}

		@Override
		public StringBuffer getRequestURL() {
			StringBuffer url = super.getRequestURL();
			String original = super.getRequestURI();
			return new StringBuffer(url.substring(0, url.length() - original.length())).append(this.uri);
		}

	}

}

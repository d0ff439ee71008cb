package dev.berth.gateway.server;

import java.io.IOException;
import java.io.Writer;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.tomcat.util.res.StringManager;

/**
 * Tomcat's own error responses (a request it refuses before any servlet sees it, such as an encoded slash in the
 * path) as Docker's {@code {"message": …}}, instead of an HTML page that no Docker client can read.
 */
public class DockerErrorReportValve extends ErrorReportValve {

	private static final StringManager smClient = StringManager.getManager("org.apache.catalina.valves");

	@Override
	protected void report(Request request, Response response, Throwable throwable) {
		int status = response.getStatus();
		if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
			return;
		}
		String message = response.getMessage();
		if (message == null || message.isEmpty()) {
			message = smClient.getString("http." + status + ".reason");
		}
		try {
			response.setContentType("application/json");
			response.setCharacterEncoding("utf-8");
			Writer writer = response.getReporter();
			if (writer != null) {
				writer.write("{\"message\":\"" + escape(message) + "\"}");
				response.finishResponse();
			}
		}
		catch (IOException | IllegalStateException ex) {
			// the connection is gone or the response was committed meanwhile: nothing more can be said
		}
	}

	private static String escape(String text) {
		StringBuilder escaped = new StringBuilder(text.length());
		for (char c : text.toCharArray()) {
			switch (c) {
				case '"' -> escaped.append("\\\"");
				case '\\' -> escaped.append("\\\\");
				default -> {
					if (c < 0x20) {
						escaped.append(String.format("\\u%04x", (int) c));
					}
					else {
						escaped.append(c);
					}
				}
			}
		}
		return escaped.toString();
	}

}

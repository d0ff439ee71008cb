package dev.berth.gateway.image;

import org.springframework.http.HttpMethod;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * The rest of a path under {@code /images/}, split into the image's name and the operation after its last slash:
 * {@code /localhost:5000/app:1/json} is {@code localhost:5000/app:1} and {@code json}.
 */
record ImagePath(String name, String operation) {

	static ImagePath parse(String rest) {
		String path = name(rest);
		int slash = path.lastIndexOf('/');
		if (slash <= 0) {
			return new ImagePath(path, "");
		}
		return new ImagePath(path.substring(0, slash), path.substring(slash + 1));
	}

	/** The whole rest as a name, for {@code DELETE /images/{name}}. */
	static String name(String rest) {
		return rest.startsWith("/") ? rest.substring(1) : rest;
	}

	/** An unknown operation is an unknown route: dockerd's 404 "page not found". */
	static NoResourceFoundException noRoute(String rest) {
		return new NoResourceFoundException(HttpMethod.GET, "/images" + rest, "no route");
	}

}

package dev.berth.engine.image;

/** {@code No such image: busybox:latest}, Docker's 404 wording. */
public class ImageNotFoundException extends RuntimeException {

	public ImageNotFoundException(String nameOrId) {
		super("No such image: " + nameOrId);
	}

	private ImageNotFoundException(String message, Void wordedByCaller) {
		super(message);
	}

	/** {@code docker push} of a repository or tag that is not here, in Docker's words. */
	static ImageNotFoundException noLocalTag(String repository) {
		return new ImageNotFoundException("An image does not exist locally with the tag: " + repository, null);
	}

}

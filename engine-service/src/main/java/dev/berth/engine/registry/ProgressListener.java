package dev.berth.engine.registry;

/** Receives progress as it happens; called from several download threads, one event at a time. */
@FunctionalInterface
public interface ProgressListener {

	ProgressListener NONE = (event) -> {
	};

	void onProgress(ProgressEvent event);

}

package dev.berth.engine.registry;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * Moves layers a few at a time, as dockerd does for pulls and pushes: at most {@code limit}
 * transfers run, the rest report {@code Waiting}, and one failure stops the others instead of
 * letting them finish for nothing.
 */
final class LayerTransfers {

	private LayerTransfers() {
	}

	static void run(Collection<Descriptor> layers, int limit, ProgressListener progress, Consumer<Descriptor> transfer) {
		Semaphore slots = new Semaphore(limit);
		List<Future<?>> running = new ArrayList<>();
		try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
			for (Descriptor layer : layers) {
				if (running.size() >= limit) {
					progress.onProgress(ProgressEvent.status(layer.digest().shortId(), "Waiting"));
				}
				running.add(executor.submit(() -> {
					slots.acquireUninterruptibly();
					try {
						transfer.accept(layer);
					}
					finally {
						slots.release();
					}
					return null;
				}));
			}
			for (Future<?> future : running) {
				await(future, running);
			}
		}
	}

	private static void await(Future<?> transfer, List<Future<?>> all) {
		try {
			transfer.get();
		}
		catch (ExecutionException ex) {
			all.forEach((other) -> other.cancel(true));
			if (ex.getCause() instanceof RuntimeException runtime) {
				throw runtime;
			}
			throw new RegistryException(RegistryException.Kind.UNAVAILABLE, ex.getCause().toString(), ex.getCause());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			all.forEach((other) -> other.cancel(true));
			throw new RegistryException(RegistryException.Kind.UNAVAILABLE, "transfer interrupted", ex);
		}
	}

}

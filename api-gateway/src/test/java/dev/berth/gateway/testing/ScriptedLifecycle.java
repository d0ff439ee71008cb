package dev.berth.gateway.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;

import dev.berth.contracts.engine.v1.ImageServiceGrpc;
import dev.berth.contracts.lifecycle.v1.ContainerServiceGrpc;
import dev.berth.contracts.lifecycle.v1.EventServiceGrpc;
import dev.berth.contracts.lifecycle.v1.ExecServiceGrpc;
import dev.berth.contracts.lifecycle.v1.NodeServiceGrpc;

/**
 * A test double of lifecycle-service (and of the two engine-service calls {@code /info} and {@code /system/df} make),
 * for the gateway's protocol tests only: a real gRPC server on loopback that serves every method of the contract,
 * each answering as the running test scripted it, and UNIMPLEMENTED when it was not. It has no container logic: it
 * records what the gateway sent and answers what it is told to, so the tests see exactly what the gateway makes of
 * each answer.
 */
public final class ScriptedLifecycle implements AutoCloseable {

	private static final List<ServiceDescriptor> SERVICES = List.of(ContainerServiceGrpc.getServiceDescriptor(),
			ExecServiceGrpc.getServiceDescriptor(), EventServiceGrpc.getServiceDescriptor(),
			NodeServiceGrpc.getServiceDescriptor(),
			ImageServiceGrpc.getServiceDescriptor());

	private final Map<String, ServerCallHandler<Object, Object>> scripts = new ConcurrentHashMap<>();

	private final BlockingQueue<Object> received = new LinkedBlockingQueue<>();

	private final Server server;

	private ScriptedLifecycle() {
		NettyServerBuilder builder = NettyServerBuilder
			.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
		for (ServiceDescriptor service : SERVICES) {
			ServerServiceDefinition.Builder definition = ServerServiceDefinition.builder(service);
			for (MethodDescriptor<?, ?> method : service.getMethods()) {
				definition.addMethod(erased(method), this::dispatch);
			}
			builder.addService(definition.build());
		}
		try {
			this.server = builder.build().start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	public static ScriptedLifecycle start() {
		return new ScriptedLifecycle();
	}

	/** {@code host:port}, for {@code berth.gateway.lifecycle} and {@code berth.gateway.engine}. */
	public String address() {
		return "127.0.0.1:" + this.server.getPort();
	}

	/** Answers every call of {@code method} with {@code answer}'s value, or fails it with the status it throws. */
	public <Q, R> void unary(MethodDescriptor<Q, R> method, Function<Q, R> answer) {
		script(method, ServerCalls.asyncUnaryCall((Q request, StreamObserver<R> responses) -> {
			this.received.add(request);
			try {
				responses.onNext(answer.apply(request));
				responses.onCompleted();
			}
			catch (StatusRuntimeException ex) {
				responses.onError(ex);
			}
		}));
	}

	/** Serves every call of a server-streaming {@code method} with {@code answers}. */
	public <Q, R> void serverStream(MethodDescriptor<Q, R> method, BiConsumer<Q, StreamObserver<R>> answers) {
		script(method, ServerCalls.asyncServerStreamingCall((Q request, StreamObserver<R> responses) -> {
			this.received.add(request);
			answers.accept(request, responses);
		}));
	}

	/**
	 * Serves every call of a bidirectional {@code method}: {@code conversation} gets the answer stream and returns
	 * what handles the requests. Every request is recorded as it arrives, and so is the end of the requests (as
	 * {@link #END_OF_REQUESTS}).
	 */
	public <Q, R> void bidi(MethodDescriptor<Q, R> method, Function<StreamObserver<R>, StreamObserver<Q>> conversation) {
		script(method, ServerCalls.asyncBidiStreamingCall((StreamObserver<R> responses) -> {
			StreamObserver<Q> handler = conversation.apply(responses);
			return new StreamObserver<Q>() {

				@Override
				public void onNext(Q request) {
					ScriptedLifecycle.this.received.add(request);
					handler.onNext(request);
				}

				@Override
				public void onError(Throwable t) {
					ScriptedLifecycle.this.received.add(END_OF_REQUESTS);
					handler.onError(t);
				}

				@Override
				public void onCompleted() {
					ScriptedLifecycle.this.received.add(END_OF_REQUESTS);
					handler.onCompleted();
				}

			};
		}));
	}

	/** The requests of a bidirectional call, of which a script handles only what it needs. */
	public abstract static class Requests<Q> implements StreamObserver<Q> {

		@Override
		public void onError(Throwable t) {
		}

		@Override
		public void onCompleted() {
		}

	}

	/** Recorded when the gateway ended (completed or cancelled) its side of a bidirectional call. */
	public static final Object END_OF_REQUESTS = new Object() {

		@Override
		public String toString() {
			return "END_OF_REQUESTS";
		}

	};

	/** The next request the gateway sent, waiting for it; in the order they arrived. */
	public Object nextRequest() throws InterruptedException {
		Object request = this.received.poll(30, TimeUnit.SECONDS);
		if (request == null) {
			throw new AssertionError("the gateway sent no request within 30 s");
		}
		return request;
	}

	/** Forgets the scripts and recorded requests of the test before. */
	public void reset() {
		this.scripts.clear();
		forgetRequests();
	}

	/** Forgets the recorded requests of the test before, keeping the scripts. */
	public void forgetRequests() {
		this.received.clear();
	}

	@Override
	public void close() throws InterruptedException {
		this.server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
	}

	@SuppressWarnings("unchecked")
	private <Q, R> void script(MethodDescriptor<Q, R> method, ServerCallHandler<Q, R> handler) {
		this.scripts.put(method.getFullMethodName(), (ServerCallHandler<Object, Object>) (ServerCallHandler<?, ?>) handler);
	}

	private ServerCall.Listener<Object> dispatch(ServerCall<Object, Object> call, Metadata headers) {
		String name = call.getMethodDescriptor().getFullMethodName();
		ServerCallHandler<Object, Object> script = this.scripts.get(name);
		if (script == null) {
			call.close(Status.UNIMPLEMENTED.withDescription("the test did not script " + name), new Metadata());
			return new ServerCall.Listener<>() {
			};
		}
		return script.startCall(call, headers);
	}

	@SuppressWarnings("unchecked")
	private static MethodDescriptor<Object, Object> erased(MethodDescriptor<?, ?> method) {
		return (MethodDescriptor<Object, Object>) method;
	}

}

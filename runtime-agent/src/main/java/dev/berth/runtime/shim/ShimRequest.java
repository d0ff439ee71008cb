package dev.berth.runtime.shim;

import java.nio.file.Path;

import dev.berth.runtime.spec.Json;
import dev.berth.runtime.spec.JsonObject;

/**
 * Sends one request to a node shim and prints the result: {@code ShimRequest <socket> '<json>'}.
 * For operators and scripts (the benchmarks use it) that want to ask the shim directly.
 */
public final class ShimRequest {

	private ShimRequest() {
	}

	public static void main(String[] args) {
		if (args.length != 2 || args[0].equals("--help")) {
			System.out.println("usage: ShimRequest <shim socket> '{\"op\":\"list\"}'");
			System.exit(args.length == 1 && args[0].equals("--help") ? 0 : 2);
		}
		try {
			Object result = new ShimClient(Path.of(args[0])).call(JsonObject.parse(args[1]).fields());
			System.out.println(Json.write(result));
		}
		catch (ShimException ex) {
			System.err.println(ex.kind() + ": " + ex.getMessage());
			System.exit(1);
		}
	}

}

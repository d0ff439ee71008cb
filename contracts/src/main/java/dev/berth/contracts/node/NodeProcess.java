package dev.berth.contracts.node;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Berth's services of one node in one JVM, as {@code berthd} runs them: each is its own Spring
 * application context with its own configuration, and they call each other through in-process gRPC
 * ({@code in-process:<name>} targets, see {@code ServiceChannels}). A call between them is then a
 * method call on the server's executor instead of a loopback TCP connection with HTTP/2 framing
 * and serialization on both sides, and the JIT compiles the code they share (gRPC, protobuf,
 * Spring) once. On a cluster the same services run in their own processes.
 *
 * <p>The command line is one group per service, in start order:
 * {@code --service=<main class> [its arguments…] --service=<main class> …}. The services stop in
 * the reverse order when the JVM does (SIGTERM, Ctrl-C), so that the API stops taking requests
 * before the services behind it go. A service that cannot start stops the process, with status 1.
 */
public final class NodeProcess {

	static final String SERVICE = "--service=";

	private final Deque<ConfigurableApplicationContext> running = new ArrayDeque<>();

	public static void main(String[] args) {
		List<Service> services;
		try {
			services = parse(args);
		}
		catch (IllegalArgumentException ex) {
			System.err.println("NodeProcess: " + ex.getMessage());
			System.err.println("usage: NodeProcess --service=<main class> [arguments…] [--service=<main class> …]");
			System.exit(2);
			return;
		}
		NodeProcess node = new NodeProcess();
		Runtime.getRuntime().addShutdownHook(new Thread(node::stop, "node-process-stop"));
		try {
			for (Service service : services) {
				node.start(service);
			}
		}
		catch (RuntimeException | ClassNotFoundException ex) {
			// SpringApplication has logged why; the hook stops the services already started
			System.err.println("NodeProcess: " + ex);
			System.exit(1);
		}
	}

	/** The groups of a command line, each a main class and the arguments up to the next group. */
	static List<Service> parse(String[] args) {
		List<Service> services = new ArrayList<>();
		List<String> arguments = null;
		for (String arg : args) {
			if (arg.startsWith(SERVICE)) {
				String mainClass = arg.substring(SERVICE.length());
				if (mainClass.isEmpty()) {
					throw new IllegalArgumentException(arg + ": no main class");
				}
				arguments = new ArrayList<>();
				services.add(new Service(mainClass, arguments));
			}
			else if (arguments == null) {
				throw new IllegalArgumentException(arg + ": an argument before the first " + SERVICE);
			}
			else {
				arguments.add(arg);
			}
		}
		if (services.isEmpty()) {
			throw new IllegalArgumentException("no " + SERVICE);
		}
		return services;
	}

	void start(Service service) throws ClassNotFoundException {
		Class<?> mainClass = Class.forName(service.mainClass());
		SpringApplication application = new SpringApplication(mainClass);
		// this class stops the contexts, in order; one hook per context would stop them all at once
		application.setMainApplicationClass(mainClass);
		application.setRegisterShutdownHook(false);
		application.setDefaultProperties(defaults(mainClass));
		ConfigurableApplicationContext context = application.run(service.arguments().toArray(String[]::new));
		synchronized (this.running) {
			this.running.push(context);
		}
	}

	/**
	 * What each service needs to be itself among the others: its own {@code application.properties}
	 * (on the shared class path every module's has that name, and only the first would be found), and
	 * the JVM kept up by its context rather than by whichever threads a service happens to have.
	 * Defaults only: the service's arguments override them.
	 */
	static Map<String, Object> defaults(Class<?> mainClass) {
		return Map.of("spring.config.location", ownProperties(mainClass), "spring.main.keep-alive", "true",
				// one logging system for all: a logger's name says which service it is in
				"logging.include-application-name", "false");
	}

	/** The {@code application.properties} packaged with a class: in its jar, or beside it in a class directory. */
	static String ownProperties(Class<?> type) {
		URL location = type.getProtectionDomain().getCodeSource().getLocation();
		try {
			Path path = Path.of(location.toURI());
			if (path.toString().endsWith(".jar")) {
				return "jar:" + path.toUri() + "!/application.properties";
			}
			return path.resolve("application.properties").toUri().toString();
		}
		catch (URISyntaxException ex) {
			throw new IllegalStateException("where " + type.getName() + " was loaded from: " + location, ex);
		}
	}

	void stop() {
		while (true) {
			ConfigurableApplicationContext context;
			synchronized (this.running) {
				context = this.running.poll();
			}
			if (context == null) {
				return;
			}
			context.close();
		}
	}

	/** One service: its Spring Boot main class and its command-line arguments. */
	record Service(String mainClass, List<String> arguments) {
	}

}

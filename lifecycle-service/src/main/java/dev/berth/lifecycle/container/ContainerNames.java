package dev.berth.lifecycle.container;

import java.util.List;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;

import dev.berth.lifecycle.InvalidArgumentException;

/**
 * Docker's rules for container names: which are valid, and the {@code adjective_surname} names
 * given to containers created without one. The words are our own: surnames of people who shaped
 * computing and operating systems.
 */
final class ContainerNames {

	// two characters at least: Docker's pattern has a '+' after the first class
	private static final Pattern VALID = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]+");

	private static final List<String> ADJECTIVES = List.of("agile", "amber", "ardent", "brave", "breezy", "bright",
			"calm", "candid", "cheerful", "clever", "cosmic", "crisp", "daring", "deft", "eager", "earnest", "fearless",
			"fluent", "gentle", "glowing", "hardy", "humble", "jolly", "keen", "lively", "lucid", "mellow", "merry",
			"nimble", "noble", "patient", "plucky", "quiet", "radiant", "rapid", "serene", "steady", "sunny", "swift",
			"tidy", "upbeat", "valiant", "vivid", "witty", "zealous");

	private static final List<String> SURNAMES = List.of("allen", "backus", "barton", "bartik", "cerf", "clarke",
			"corbato", "dahl", "dijkstra", "engelbart", "estrin", "floyd", "goldberg", "hamming", "hamilton", "hoare",
			"holberton", "hopper", "iverson", "johnson", "kahn", "kay", "kildall", "knuth", "lamport", "liskov",
			"lovelace", "mccarthy", "minsky", "naur", "nygaard", "perlman", "ritchie", "sammet", "shannon", "jones",
			"sutherland", "tanenbaum", "thompson", "torvalds", "turing", "wilkes", "wirth", "yao", "zuse");

	/** After this many collisions a number is added, so a crowded host still finds a free name quickly. */
	private static final int PLAIN_ATTEMPTS = 5;

	private final RandomGenerator random;

	ContainerNames(RandomGenerator random) {
		this.random = random;
	}

	/** A name for the given attempt (0, 1, …); later attempts draw from a larger space. */
	String generate(int attempt) {
		String name = pick(ADJECTIVES) + "_" + pick(SURNAMES);
		return (attempt < PLAIN_ATTEMPTS) ? name : name + this.random.nextInt(100);
	}

	private String pick(List<String> words) {
		return words.get(this.random.nextInt(words.size()));
	}

	/**
	 * The name as stored, without the leading {@code /} that Docker shows on every name.
	 * @throws InvalidArgumentException in Docker's words when the name breaks its pattern
	 */
	static String normalize(String name) {
		String bare = stripSlash(name);
		if (!VALID.matcher(bare).matches()) {
			throw new InvalidArgumentException(
					"Invalid container name (" + name + "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
		}
		return bare;
	}

	static String stripSlash(String name) {
		return name.startsWith("/") ? name.substring(1) : name;
	}

}

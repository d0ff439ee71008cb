package dev.berth.lifecycle.spec;

import java.util.ArrayList;
import java.util.List;

/**
 * A resolv.conf as Docker reads and rewrites it: nameservers, the last {@code search} (or
 * {@code domain}), every {@code options}, and other lines kept as they are.
 */
record ResolvConf(List<String> nameservers, List<String> search, List<String> options, List<String> other) {

	/** Where a container without a usable nameserver of the host's sends its queries (Docker's fallback). */
	private static final List<String> DEFAULT_IPV4 = List.of("8.8.8.8", "8.8.4.4");

	private static final List<String> DEFAULT_IPV6 = List.of("2001:4860:4860::8888", "2001:4860:4860::8844");

	static ResolvConf parse(String text) {
		List<String> nameservers = new ArrayList<>();
		List<String> search = new ArrayList<>();
		List<String> options = new ArrayList<>();
		List<String> other = new ArrayList<>();
		for (String line : text.split("\n")) {
			String[] fields = line.strip().split("\\s+");
			if (fields[0].isEmpty() || fields[0].startsWith("#") || fields[0].startsWith(";")) {
				continue;
			}
			List<String> values = List.of(fields).subList(1, fields.length);
			switch (fields[0]) {
				case "nameserver" -> {
					if (!values.isEmpty()) {
						nameservers.add(values.getFirst());
					}
				}
				case "search", "domain" -> {
					if (!values.isEmpty()) {
						search = new ArrayList<>(values);
					}
				}
				case "options" -> options.addAll(values);
				default -> other.add(line);
			}
		}
		return new ResolvConf(List.copyOf(nameservers), List.copyOf(search), List.copyOf(options), List.copyOf(other));
	}

	/**
	 * For a container with its own network namespace: the host's loopback nameservers cannot be
	 * reached from it and go (IPv6 ones too without IPv6); with none left, Docker's fallback.
	 */
	ResolvConf withoutLocalNameservers(boolean ipv6) {
		List<String> reachable = this.nameservers.stream()
			.filter((address) -> !loopback(address) && (ipv6 || !address.contains(":")))
			.toList();
		if (reachable.isEmpty()) {
			List<String> fallback = new ArrayList<>(DEFAULT_IPV4);
			if (ipv6) {
				fallback.addAll(DEFAULT_IPV6);
			}
			reachable = fallback;
		}
		return new ResolvConf(List.copyOf(reachable), this.search, this.options, this.other);
	}

	/** The client's {@code Dns}, {@code DnsSearch}, {@code DnsOptions} replace the host's, each when given. */
	ResolvConf override(List<String> dns, List<String> dnsSearch, List<String> dnsOptions) {
		return new ResolvConf(given(dns) ? List.copyOf(dns) : this.nameservers,
				given(dnsSearch) ? dnsSearch.stream().filter((domain) -> !domain.equals(".")).toList() : this.search,
				given(dnsOptions) ? List.copyOf(dnsOptions) : this.options, this.other);
	}

	String render() {
		StringBuilder text = new StringBuilder();
		this.nameservers.forEach((address) -> text.append("nameserver ").append(address).append('\n'));
		if (!this.search.isEmpty()) {
			text.append("search ").append(String.join(" ", this.search)).append('\n');
		}
		if (!this.options.isEmpty()) {
			text.append("options ").append(String.join(" ", this.options)).append('\n');
		}
		this.other.forEach((line) -> text.append(line).append('\n'));
		return text.toString();
	}

	private static boolean given(List<String> values) {
		return values != null && !values.isEmpty();
	}

	private static boolean loopback(String address) {
		return address.startsWith("127.") || address.equals("::1") || address.equals("0:0:0:0:0:0:0:1");
	}

}

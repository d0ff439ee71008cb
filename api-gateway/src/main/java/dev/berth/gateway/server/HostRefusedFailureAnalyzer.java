package dev.berth.gateway.server;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** A refused host is the operator's to fix: say what and how, without the stack trace of a bean creation. */
class HostRefusedFailureAnalyzer extends AbstractFailureAnalyzer<HostRefusedException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, HostRefusedException cause) {
		return new FailureAnalysis(cause.getMessage(),
				"Change the -H hosts (berth.gateway.hosts) or the TLS flags (--tlsverify, --tls, --tlscacert,"
						+ " --tlscert, --tlskey), then start again.",
				cause);
	}

}

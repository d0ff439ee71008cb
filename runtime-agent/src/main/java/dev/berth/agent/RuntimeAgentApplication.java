package dev.berth.agent;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/**
 * The runtime agent of a node: serves {@code berth.agent.v1.TaskService} to lifecycle-service and
 * drives the node shim, which it starts when none is running.
 */
@SpringBootApplication
@EnableConfigurationProperties(AgentProperties.class)
public class RuntimeAgentApplication {

	public static void main(String[] args) {
		SpringApplication.run(RuntimeAgentApplication.class, args);
	}

}

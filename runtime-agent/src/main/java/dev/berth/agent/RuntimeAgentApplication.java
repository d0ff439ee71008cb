package dev.berth.agent;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class RuntimeAgentApplication {

	public static void main(String[] args) {
		SpringApplication.run(RuntimeAgentApplication.class, args);
	}

}

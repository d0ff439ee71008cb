package dev.berth.lifecycle;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class LifecycleServiceApplication {

	public static void main(String[] args) {
		SpringApplication.run(LifecycleServiceApplication.class, args);
	}

}

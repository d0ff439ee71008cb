package dev.berth.engine;

import java.time.Clock;

import dev.berth.engine.content.ContentStore;
import dev.berth.engine.event.EventLogPublisher;
import dev.berth.engine.image.ArchiveLimits;
import dev.berth.engine.image.ImageEvents;
import dev.berth.engine.image.ImageService;
import dev.berth.engine.image.ImageStore;
import dev.berth.engine.registry.Registries;
import dev.berth.engine.registry.RegistryHosts;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The engine's stores and services, built from {@link EngineProperties}. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(EngineProperties.class)
class EngineConfiguration {

	@Bean
	ContentStore contentStore(EngineProperties properties) {
		return new ContentStore(properties.contentRoot());
	}

	@Bean
	ImageStore imageStore(EngineProperties properties) {
		return new ImageStore(properties.imageRoot());
	}

	@Bean(destroyMethod = "close")
	Registries registries(EngineProperties properties) {
		return new Registries(new RegistryHosts(properties.registryMirrors(), properties.insecureRegistries()),
				properties.maxConcurrentDownloads());
	}

	// the publisher's close (inferred) shuts its channel with the engine
	@Bean
	ImageEvents imageEvents(EngineProperties properties) {
		if (properties.lifecycleService().isEmpty()) {
			return ImageEvents.NONE;
		}
		return new EventLogPublisher(properties.lifecycleService(), Clock.systemUTC());
	}

	@Bean
	ImageService imageService(ImageStore imageStore, ContentStore contentStore, Registries registries,
			ImageEvents imageEvents) {
		return new ImageService(imageStore, contentStore, registries, Clock.systemUTC(), ArchiveLimits.DEFAULT,
				imageEvents);
	}

}

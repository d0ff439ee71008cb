package dev.berth.gateway.system;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(DaemonSettings.class)
class DaemonSettingsConfiguration {

}

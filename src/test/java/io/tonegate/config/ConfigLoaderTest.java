package io.tonegate.config;

import io.tonegate.redis.RedisConfig;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {

  private static TonegateConfig load(Map<String, String> env) {
    return TonegateConfig.from(ConfigLoader.load(null, env));
  }

  @Test
  @DisplayName("the packaged defaults are valid: HTTPS on 8443, embedded Redis, 10 s drain")
  void defaultsAreValid() {
    TonegateConfig config = load(Map.of());
    assertThat(config.server().port()).isEqualTo(8443);
    assertThat(config.server().tlsEnabled()).isTrue();
    assertThat(config.server().publicUrl()).isEqualTo("https://localhost:8443");
    assertThat(config.server().instances()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(config.redis().embedded()).isTrue();
    assertThat(config.redis().mode()).isEqualTo(RedisConfig.Mode.STANDALONE);
    assertThat(config.server().drainTimeout()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  @DisplayName("environment variables TONEGATE_<KEY_PATH> override the defaults, with typed parsing")
  void environmentOverrides() {
    TonegateConfig config = load(Map.of(
        "TONEGATE_PORT", "9443",
        "TONEGATE_REDIS_URL", "redis://10.0.0.5:6379",
        "TONEGATE_REDIS_MAX_POOL_SIZE", "32",
        "TONEGATE_SHUTDOWN_DRAIN_TIMEOUT", "250ms",
        "TONEGATE_TLS_ENABLED", "false",
        "TONEGATE_REDIS_ENDPOINTS", "redis://10.0.0.6:6379, redis://10.0.0.7:6379",
        "UNRELATED", "ignored"));
    assertThat(config.server().port()).isEqualTo(9443);
    assertThat(config.server().publicUrl()).isEqualTo("http://localhost:9443");
    assertThat(config.redis().url()).contains("redis://10.0.0.5:6379");
    assertThat(config.redis().maxPoolSize()).isEqualTo(32);
    assertThat(config.redis().endpoints()).containsExactly("redis://10.0.0.6:6379", "redis://10.0.0.7:6379");
    assertThat(config.server().drainTimeout()).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  @DisplayName("a config file changes only the keys it names, and the environment wins over it")
  void fileThenEnvironment(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("site.yaml");
    Files.writeString(file, "port: 7443\nredis:\n  mode: sentinel\n  url: redis://s1:26379\n  masterName: calls\n");
    TonegateConfig config = TonegateConfig.from(ConfigLoader.load(file, Map.of("TONEGATE_PORT", "6443")));
    assertThat(config.server().port()).isEqualTo(6443);
    assertThat(config.redis().mode()).isEqualTo(RedisConfig.Mode.SENTINEL);
    assertThat(config.redis().masterName()).isEqualTo("calls");
    assertThat(config.redis().maxPoolSize()).isEqualTo(16);
  }

  @Test
  @DisplayName("environment variable names follow the key path: camelCase to UPPER_SNAKE, sections joined by _")
  void environmentNames() {
    assertThat(ConfigLoader.environmentName("port")).isEqualTo("TONEGATE_PORT");
    assertThat(ConfigLoader.environmentName("redis.url")).isEqualTo("TONEGATE_REDIS_URL");
    assertThat(ConfigLoader.environmentName("redis.embedded.appendfsync")).isEqualTo("TONEGATE_REDIS_EMBEDDED_APPENDFSYNC");
    assertThat(ConfigLoader.environmentName("shutdown.drainTimeout")).isEqualTo("TONEGATE_SHUTDOWN_DRAIN_TIMEOUT");
  }

  @Test
  @DisplayName("each kind of bad value stops with one line naming the key and the problem")
  void badValuesNameTheirKey() {
    assertBad(Map.of("TONEGATE_PORT", "abc"), "port: must be a whole number, got 'abc'");
    assertBad(Map.of("TONEGATE_PORT", "70000"), "port: must be between 0 and 65535, got 70000");
    assertBad(Map.of("TONEGATE_REDIS_URL", "localhost:6379"),
        "redis.url: must start with redis:// or rediss://, got 'localhost:6379'");
    assertBad(Map.of("TONEGATE_REDIS_MODE", "ring"),
        "redis.mode: must be one of standalone, sentinel, cluster, got 'ring'");
    assertBad(Map.of("TONEGATE_REDIS_MODE", "cluster"), "redis.url: must be set when redis.mode is cluster");
    assertBad(Map.of("TONEGATE_SHUTDOWN_DRAIN_TIMEOUT", "soon"),
        "shutdown.drainTimeout: must be a duration like 250ms, 30s, 15m, 1h or 7d, got 'soon'");
    assertBad(Map.of("TONEGATE_SHUTDOWN_DRAIN_TIMEOUT", "1h"),
        "shutdown.drainTimeout: must be between 0ms and 5m, got 1h");
    assertBad(Map.of("TONEGATE_TLS_ENABLED", "maybe"), "tls.enabled: must be true or false, got 'maybe'");
    assertBad(Map.of("TONEGATE_TLS_CERT_PATH", "/etc/cert.pem"), "tls.keyPath: must be set together with tls.certPath");
    assertBad(Map.of("TONEGATE_REDIS_EMBEDDED_APPENDFSYNC", "sometimes"),
        "redis.embedded.appendfsync: must be one of always, everysec, no, got 'sometimes'");
    assertBad(Map.of("TONEGATE_PUBLIC_URL", "ftp://example"), "publicUrl: must be an http(s) URL, got 'ftp://example'");
    assertBad(Map.of("TONEGATE_REDIS_ENDPOINTS", "[1,"), "redis.endpoints: environment variable TONEGATE_REDIS_ENDPOINTS is not valid JSON");
  }

  @Test
  @DisplayName("a file with an unknown key or invalid YAML is refused with the key or file named")
  void badFiles(@TempDir Path dir) throws Exception {
    Path typo = dir.resolve("typo.yaml");
    Files.writeString(typo, "redis:\n  urll: redis://x:1\n");
    assertThatThrownBy(() -> ConfigLoader.load(typo, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("redis.urll: unknown key (see conf/tonegate.yaml for the keys)");

    Path broken = dir.resolve("broken.yaml");
    Files.writeString(broken, "port: [8443\n");
    assertThatThrownBy(() -> ConfigLoader.load(broken, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(broken + ": not valid YAML or JSON");

    Path json = dir.resolve("site.json");
    Files.writeString(json, "{\"port\": 9000, \"tls\": {\"enabled\": false}}");
    assertThat(TonegateConfig.from(ConfigLoader.load(json, Map.of())).server().publicUrl())
        .isEqualTo("http://localhost:9000");

    assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("missing.yaml"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("cannot read");
  }

  @Test
  @DisplayName("a section given a scalar is refused rather than silently replaced")
  void sectionTypeIsKept() {
    JsonObject merged = ConfigLoader.defaults();
    assertThatThrownBy(() -> ConfigLoader.overlay(merged, new JsonObject().put("redis", "redis://x:1"), ""))
        .hasMessage("redis: must be a section (a map of keys)");
  }

  private static void assertBad(Map<String, String> env, String message) {
    assertThatThrownBy(() -> load(env)).isInstanceOf(ConfigException.class).hasMessage(message);
  }
}

package io.tonegate.calls;

import io.tonegate.auth.JwtValidatorConfig;
import io.tonegate.config.ConfigException;
import io.tonegate.config.ConfigTree;
import io.tonegate.identity.AcsConnectionString;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The {@code calls} section of the configuration: how to reach Call Automation, how the webhooks authenticate,
 * which incoming calls to answer and how media streaming is requested. Defaults and comments live in
 * {@code conf/tonegate.yaml}.
 */
public record CallsConfig(
    Acs acs,
    EventGrid eventGrid,
    Incoming incoming,
    MediaStreaming mediaStreaming,
    boolean continuousDtmfRecognition,
    JwtValidatorConfig callbacks,
    Duration callbackDedupTtl,
    Api api,
    Duration recordTtl) {

  /** Call Automation REST client settings. {@code connectionString} is empty when not configured. */
  public record Acs(Optional<AcsConnectionString> connectionString, String apiVersion, Duration requestTimeout,
                    int maxAttempts, Duration retryBaseDelay, Duration retryMaxDelay, int breakerFailureThreshold,
                    Duration breakerOpenDuration) {
  }

  /** Event Grid webhook settings. */
  public record EventGrid(Optional<String> secret, String secretParameter, Optional<JwtValidatorConfig> entra,
                          List<String> allowedOrigins, Duration dedupTtl, Duration processingTimeout) {

    /** True when some way to authenticate deliveries is configured. */
    public boolean authConfigured() {
      return secret.isPresent() || entra.isPresent();
    }

    @Override
    public String toString() {
      return "EventGrid[secret=" + (secret.isPresent() ? "set" : "none") + ", entra=" + entra.isPresent() + "]";
    }
  }

  /** Which incoming calls are answered, and where the SIP Call-ID is read from. */
  public record Incoming(List<String> serve, List<String> sipCallIdHeaders) {
  }

  /** The mediaStreamingOptions sent with answer and create (acs-wire.md §3.3). */
  public record MediaStreaming(String audioChannelType, String audioFormat, boolean startMediaStreaming,
                               boolean enableBidirectional, boolean enableDtmfTones) {
  }

  /** POST /api/call settings; {@code oidc} is empty when no provider is configured. */
  public record Api(Optional<JwtValidatorConfig> oidc, Optional<String> sourceCallerIdNumber, int ratePerMinute) {
  }

  /**
   * Reads the {@code calls} section; JWT validators take their timing defaults from the {@code auth} section.
   */
  public static CallsConfig from(ConfigTree calls, ConfigTree auth) {
    ConfigTree acs = calls.section("acs");
    Optional<AcsConnectionString> connection = acs.optionalString("connectionString").map(text -> {
      try {
        return AcsConnectionString.parse(text);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(acs.path("connectionString"), e.getMessage()); // the message never holds the key
      }
    });
    String apiVersion = acs.nonEmptyString("apiVersion");
    if (!apiVersion.matches("\\d{4}-\\d{2}-\\d{2}(-preview)?")) {
      throw new ConfigException(acs.path("apiVersion"), "must look like 2025-06-15, got '" + apiVersion + "'");
    }
    ConfigTree breaker = acs.section("circuitBreaker");
    Acs acsConfig = new Acs(connection, apiVersion,
        acs.duration("requestTimeout", Duration.ofMillis(100), Duration.ofMinutes(2)),
        acs.intValue("maxAttempts", 1, 10),
        acs.duration("retryBaseDelay", Duration.ZERO, Duration.ofMinutes(1)),
        acs.duration("retryMaxDelay", Duration.ZERO, Duration.ofMinutes(5)),
        breaker.intValue("failureThreshold", 1, 1000),
        breaker.duration("openDuration", Duration.ofMillis(10), Duration.ofHours(1)));

    ConfigTree grid = calls.section("eventGrid");
    String secretParameter = grid.nonEmptyString("secretParameter");
    if (!secretParameter.matches("[A-Za-z0-9_.-]{1,64}")) {
      throw new ConfigException(grid.path("secretParameter"), "must be a plain query parameter name");
    }
    EventGrid eventGrid = new EventGrid(grid.optionalString("secret"), secretParameter,
        optionalJwt(grid.section("entra"), auth), grid.strings("allowedOrigins"),
        grid.duration("dedupTtl", Duration.ofMinutes(1), Duration.ofDays(7)),
        grid.duration("processingTimeout", Duration.ofSeconds(1), Duration.ofSeconds(29)));

    ConfigTree incoming = calls.section("incoming");
    List<String> serve = incoming.strings("serve");
    for (int i = 0; i < serve.size(); i++) {
      if (serve.get(i).isEmpty() || serve.get(i).indexOf('*') >= 0 && serve.get(i).indexOf('*') != serve.get(i).length() - 1) {
        throw new ConfigException(incoming.path("serve") + "[" + i + "]",
            "must be a number, a raw id, or a prefix ending in *, got '" + serve.get(i) + "'");
      }
    }

    ConfigTree media = calls.section("mediaStreaming");
    String channel = media.nonEmptyString("audioChannelType");
    if (!List.of("mixed", "unmixed").contains(channel)) {
      throw new ConfigException(media.path("audioChannelType"), "must be mixed or unmixed, got '" + channel + "'");
    }
    String format = media.nonEmptyString("audioFormat");
    if (!List.of("pcm16KMono", "pcm24KMono").contains(format)) {
      throw new ConfigException(media.path("audioFormat"), "must be pcm16KMono or pcm24KMono, got '" + format + "'");
    }

    ConfigTree callbacks = calls.section("callbacks");
    JwtValidatorConfig callbackJwt = JwtValidatorConfig.from(callbacks, auth);
    if (callbackJwt.issuer().isEmpty()) {
      throw new ConfigException(callbacks.path("issuer"), "must not be empty");
    }

    ConfigTree api = calls.section("api");
    Optional<String> callerId = api.optionalString("sourceCallerIdNumber");
    callerId.ifPresent(number -> {
      if (!AcsIdentifier.isE164(number)) {
        throw new ConfigException(api.path("sourceCallerIdNumber"), "must be an E.164 number like +18005550100");
      }
    });

    return new CallsConfig(acsConfig, eventGrid,
        new Incoming(serve, incoming.strings("sipCallIdHeaders")),
        new MediaStreaming(channel, format, media.bool("startMediaStreaming"), media.bool("enableBidirectional"),
            media.bool("enableDtmfTones")),
        calls.bool("continuousDtmfRecognition"),
        callbackJwt,
        callbacks.duration("dedupTtl", Duration.ofMinutes(1), Duration.ofDays(7)),
        new Api(optionalJwt(api, auth), callerId, api.intValue("ratePerMinute", 1, 1_000_000)),
        calls.duration("recordTtl", Duration.ofMinutes(1), Duration.ofDays(7)));
  }

  /**
   * A validator section that is off unless a key source is set; when on, issuer and audiences are required (a token
   * of any issuer or for any audience must never pass).
   */
  private static Optional<JwtValidatorConfig> optionalJwt(ConfigTree section, ConfigTree auth) {
    JwtValidatorConfig config = JwtValidatorConfig.from(section, auth);
    if (!config.hasKeySource()) {
      return Optional.empty();
    }
    if (config.issuer().isEmpty()) {
      throw new ConfigException(section.path("issuer"), "must be set when a key source (jwksUrl/discoveryUrl) is set");
    }
    if (config.audiences().isEmpty()) {
      throw new ConfigException(section.path("audiences"), "must list at least one audience when a key source is set");
    }
    return Optional.of(config);
  }
}

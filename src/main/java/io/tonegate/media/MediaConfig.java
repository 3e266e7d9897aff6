package io.tonegate.media;

import io.tonegate.auth.JwtValidatorConfig;
import io.tonegate.config.ConfigException;
import io.tonegate.config.ConfigTree;

import java.time.Duration;
import java.util.List;

/**
 * The {@code media} section: who may open {@code /ws/media}, and the limits of each stream.
 *
 * @param acceptTokens      which upgrade tokens are accepted
 * @param acs               the ACS media JWT validator (issuer, audiences = ACS immutable resource ids, JWKS)
 * @param devAudience       audience of the simulator's dev tokens (dev mode only)
 * @param maxStreams        concurrent streams per gateway process; more are refused with 503 at the upgrade
 * @param maxMessageBytes   largest inbound message; larger closes with 1009
 * @param idleTimeout       no message for this long closes with 1001
 * @param strictFrameLength AudioData whose PCM length differs from AudioMetadata {@code length} closes with 1007
 * @param maxQueuedFrames   outbound 20 ms frames queued per stream before the oldest are dropped
 * @param inBandDtmf        run the DTMF receiver on the call audio
 * @param digitMergeWindow  window of the digit merge rule ({@link DigitMerger})
 */
public record MediaConfig(
    AcceptTokens acceptTokens,
    JwtValidatorConfig acs,
    String devAudience,
    int maxStreams,
    int maxMessageBytes,
    Duration idleTimeout,
    boolean strictFrameLength,
    int maxQueuedFrames,
    boolean inBandDtmf,
    Duration digitMergeWindow) {

  /** Which tokens {@code /ws/media} accepts on the upgrade. */
  public enum AcceptTokens {
    /** ACS-issued RS256 JWTs or Tonegate media tokens. */
    ANY,
    /** Only ACS-issued JWTs (production behind ACS). */
    ACS,
    /** Only Tonegate media tokens. */
    TONEGATE;

    boolean acs() {
      return this != TONEGATE;
    }

    boolean tonegate() {
      return this != ACS;
    }
  }

  public static MediaConfig from(ConfigTree root) {
    ConfigTree media = root.section("media");
    boolean devMode = root.bool("devMode");
    AcceptTokens accept = media.enumValue("acceptTokens", AcceptTokens.class);
    JwtValidatorConfig acs = JwtValidatorConfig.from(media.section("acs"), root.section("auth"));
    if (acs.issuer().isEmpty()) {
      throw new ConfigException(media.section("acs").path("issuer"), "must not be empty");
    }
    ConfigTree limits = media.section("limits");
    ConfigTree dtmf = media.section("dtmf");
    return new MediaConfig(accept, acs,
        media.nonEmptyString("devAudience"),
        limits.intValue("maxStreams", 1, 1_000_000),
        limits.intValue("maxMessageBytes", 2048, 16 * 1024 * 1024),
        limits.duration("idleTimeout", Duration.ofSeconds(1), Duration.ofHours(1)),
        limits.bool("strictFrameLength"),
        media.section("outbound").intValue("maxQueuedFrames", 1, 100_000),
        dtmf.bool("inBand"),
        dtmf.duration("mergeWindow", Duration.ZERO, Duration.ofSeconds(30)));
  }

  /** The ACS validator's audiences, plus the dev audience in dev mode. */
  public List<String> acsAudiences(boolean devMode) {
    if (!devMode) {
      return acs.audiences();
    }
    return java.util.stream.Stream.concat(acs.audiences().stream(), java.util.stream.Stream.of(devAudience))
        .distinct().toList();
  }
}

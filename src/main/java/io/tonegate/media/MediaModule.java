package io.tonegate.media;

import io.tonegate.auth.JwtValidator;
import io.tonegate.auth.KeySource;
import io.tonegate.config.ServerConfig;
import io.tonegate.gateway.GatewayContext;
import io.tonegate.gateway.GatewayModule;
import io.tonegate.gateway.WebSocketEndpoint;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The ACS media WebSocket ({@code /ws/media}) and its public API for other features: register a
 * {@link MediaSessionObserverFactory} (digits, start, close of every call) or an {@link AudioConsumer.Factory}
 * (authorized call audio), find a live {@link MediaSession} by call connection id. One per process, shared by every
 * event loop. See {@code docs/media.md}.
 */
public final class MediaModule implements GatewayModule {

  private static final Logger LOG = LoggerFactory.getLogger(MediaModule.class);

  final MediaConfig config;
  final MediaMetrics metrics;
  final JwtValidator acsValidator;
  final List<MediaSessionObserverFactory> observerFactories = new CopyOnWriteArrayList<>();
  final List<AudioConsumer.Factory> audioConsumerFactories = new CopyOnWriteArrayList<>();
  private final ConcurrentHashMap<String, MediaConnection> live = new ConcurrentHashMap<>();
  private volatile MediaTokenVerifier tonegateTokens;
  private final MediaEndpoint endpoint;

  public MediaModule(GatewayContext ctx) {
    this.config = MediaConfig.from(ctx.config().root());
    this.metrics = new MediaMetrics(ctx.registry());
    ServerConfig server = ctx.config().server();
    KeySource devKeys = null;
    if (server.devMode() && config.acceptTokens().acs()) {
      DevMediaKey devKey = DevMediaKey.ensure(server.dataDir());
      devKeys = KeySource.of(devKey.jwkSet());
      LOG.warn("devMode: /ws/media trusts the simulator's dev key {} (kid {}, audience {}); never use devMode in "
          + "production", DevMediaKey.path(server.dataDir()), devKey.kid(), config.devAudience());
    }
    this.acsValidator = JwtValidator.create(ctx.vertx(), "acs-media",
        config.acs().withAudiences(config.acsAudiences(server.devMode())), ctx.registry(), Clock.systemUTC(),
        devKeys);
    this.endpoint = new MediaEndpoint(this);
    if (config.acceptTokens().acs() && config.acsAudiences(server.devMode()).isEmpty()) {
      LOG.warn("media.acs.audiences is empty: every ACS media token is refused (set it to the ACS immutable resource "
          + "id)");
    }
  }

  /** Follows every new session from now on (the caller-authentication feature registers here). */
  public void addObserverFactory(MediaSessionObserverFactory factory) {
    observerFactories.add(factory);
  }

  /** Receives the audio of every authorized session from now on (downstream processing). */
  public void addAudioConsumerFactory(AudioConsumer.Factory factory) {
    audioConsumerFactories.add(factory);
  }

  /** Enables Tonegate media tokens on the upgrade (the identity feature supplies the verifier). */
  public void setTonegateTokenVerifier(MediaTokenVerifier verifier) {
    this.tonegateTokens = verifier;
  }

  /**
   * The live session of this call on this gateway process, if its media stream is connected here. Other instances
   * behind the load balancer have their own sessions; route a callback to the instance that holds the stream, or
   * feed it on every instance (a miss is harmless).
   */
  public Optional<MediaSession> findSession(String callConnectionId) {
    return Optional.ofNullable(live.get(callConnectionId));
  }

  /** Number of open streams on this process. */
  public int activeStreams() {
    return metrics.active.get();
  }

  public MediaConfig config() {
    return config;
  }

  @Override
  public List<WebSocketEndpoint> webSocketEndpoints() {
    return List.of(endpoint);
  }

  @Override
  public Future<Void> start() {
    if (config.acceptTokens() == MediaConfig.AcceptTokens.TONEGATE && tonegateTokens == null) {
      LOG.warn("media.acceptTokens is tonegate but no Tonegate media token verifier is registered: every /ws/media "
          + "upgrade will be refused");
    }
    if (config.acceptTokens().acs()) {
      acsValidator.start(); // preload in the background: a slow or unreachable JWKS must not delay start-up
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> stop() {
    acsValidator.close();
    return Future.succeededFuture();
  }

  /**
   * Feeds Call Automation tone callbacks into the live session's digit stream (merged, see docs/media.md) and
   * closes a session whose call ended. Register with the calls module: {@code calls.control().addListener(...)}.
   */
  public io.tonegate.calls.CallEventListener callEventListener() {
    return new io.tonegate.calls.CallEventListener() {
      @Override
      public void onTone(String callConnectionId, char digit, int sequenceId) {
        if (DigitEvent.isDtmfKey(Character.toUpperCase(digit))) {
          findSession(callConnectionId).ifPresent(s -> s.offerDigit(digit, DigitSource.CALLBACK));
        }
      }

      @Override
      public void onCallDisconnected(String callConnectionId) {
        findSession(callConnectionId).ifPresent(s -> s.close(1000, "call_ended"));
      }
    };
  }

  MediaTokenVerifier tonegateTokens() {
    return tonegateTokens;
  }

  void register(MediaConnection connection) {
    live.put(connection.callConnectionId(), connection); // a reconnect of the same call replaces the old stream
  }

  void unregister(MediaConnection connection) {
    live.remove(connection.callConnectionId(), connection);
  }
}

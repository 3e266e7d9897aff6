package io.tonegate.gateway;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tonegate.apptoken.AppTokenModule;
import io.tonegate.calls.CallsModule;
import io.tonegate.config.ServerConfig;
import io.tonegate.config.TonegateConfig;
import io.tonegate.caller.CallerModule;
import io.tonegate.identity.IdentityModule;
import io.tonegate.media.IdentityMediaTokenVerifier;
import io.tonegate.media.MediaModule;
import io.tonegate.session.SessionModule;
import io.tonegate.observability.HealthModule;
import io.tonegate.presence.CallPresenceBridge;
import io.tonegate.presence.PresenceModule;
import io.tonegate.presence.TokenPresenceAccess;
import io.tonegate.observability.Metrics;
import io.tonegate.redis.EmbeddedRedis;
import io.tonegate.redis.RedisClients;
import io.tonegate.redis.RedisConfig;
import io.tonegate.tls.DevCertificate;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.redis.client.Redis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The running gateway: Vert.x with metrics, Redis (external or embedded), the modules, and one
 * {@link GatewayVerticle} per configured instance on one port. {@link #start} blocks until it serves;
 * {@link #close} shuts down gracefully.
 */
public final class Gateway implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

  private final Vertx vertx;
  private final GatewayContext context;
  private final List<GatewayModule> modules;
  private final Optional<EmbeddedRedis> embeddedRedis;
  private final List<String> deployments;
  private final int port;
  private boolean closed;

  private Gateway(Vertx vertx, GatewayContext context, List<GatewayModule> modules,
                  Optional<EmbeddedRedis> embeddedRedis, List<String> deployments, int port) {
    this.vertx = vertx;
    this.context = context;
    this.modules = modules;
    this.embeddedRedis = embeddedRedis;
    this.deployments = deployments;
    this.port = port;
  }

  /**
   * The modules, in mount order: the table of what this gateway serves. Each later capability adds its line here.
   */
  static List<GatewayModule> modules(GatewayContext ctx) {
    IdentityModule identity = new IdentityModule(ctx);   // its hmacAuth()/tokenAuthenticator() serve other modules
    CallsModule calls = CallsModule.create(ctx);           // its control() serves the caller and media modules
    SessionModule sessions = new SessionModule(ctx, identity);   // store, rate limiter and API auth serve others
    calls.useSessions(sessions.store(), sessions.rateLimiter());   // /api/call: acs:<id> keys, per-IP limit
    CallerModule caller = new CallerModule(ctx, sessions, calls.control()::hangUp); // engine() authenticates media
    MediaModule media = new MediaModule(ctx);              // its observers/findSession() serve caller and calls
    media.setTonegateTokenVerifier(IdentityMediaTokenVerifier.using(identity.tokenAuthenticator()));
    calls.control().addListener(media.callEventListener()); // tone callbacks join the call's digit stream
    media.addObserverFactory(caller.mediaObserverFactory()); // each call's digits authenticate it
    PresenceModule presence = new PresenceModule(ctx,
        new TokenPresenceAccess(identity.tokenAuthenticator()::authenticate, identity.hmacAuth()));
    CallPresenceBridge.connect(presence, caller.events(), calls.control(), ctx.redis(), ctx.config().redis().keyPrefix());
    return List.of(
        new HealthModule(ctx.redis(), ctx.config().redis().readyTimeout(), ctx.registry()),
        identity,
        calls,
        sessions,
        caller,
        media,
        presence,
        new AppTokenModule(ctx, identity, sessions.rateLimiter()));   // POST /api/token for the app's OIDC users
  }

  /** Starts everything and returns once every instance listens. Call from a plain thread (it blocks). */
  public static Gateway start(TonegateConfig config) {
    return start(config, ctx -> List.of());
  }

  /**
   * As {@link #start(TonegateConfig)}, with further modules mounted after the standard ones (tests use it to add
   * probe endpoints; embedders to add their own routes).
   */
  public static Gateway start(TonegateConfig config, Function<GatewayContext, List<GatewayModule>> extraModules) {
    PrometheusMeterRegistry registry = Metrics.newRegistry();
    Optional<EmbeddedRedis> embedded = Optional.empty();
    Vertx vertx = null;
    try {
      ServerConfig server = config.server();
      if (server.port() == 0) {
        server = server.withPort(freePort());
      }
      RedisConfig redisConfig = config.redis();
      if (redisConfig.embedded()) {
        embedded = Optional.of(EmbeddedRedis.start(redisConfig.embeddedPort(), server.dataDir().resolve("redis"),
            redisConfig.appendfsync()));
        redisConfig = redisConfig.withUrl(embedded.get().url());
      }
      config = config.withServer(server).withRedis(redisConfig);

      Path certPath = null;
      Path keyPath = null;
      if (server.tlsEnabled()) {
        DevCertificate.PemFiles pem = server.certPath().isPresent()
            ? new DevCertificate.PemFiles(server.certPath().get(), server.keyPath().orElseThrow(), false)
            : DevCertificate.ensure(server.dataDir().resolve("tls"));
        certPath = pem.certPath();
        keyPath = pem.keyPath();
        if (pem.generated()) {
          LOG.info("generated a self-signed development certificate: {}", certPath);
        }
      }

      vertx = Vertx.builder().with(Metrics.vertxOptions()).withMetrics(new MicrometerMetricsFactory(registry)).build();
      Redis redis = RedisClients.create(vertx, redisConfig, registry);
      GatewayContext context = new GatewayContext(vertx, config, redis, registry);
      List<GatewayModule> modules = new ArrayList<>(modules(context));
      modules.addAll(extraModules.apply(context));

      HttpServerOptions httpOptions = new HttpServerOptions();
      ServerConfig bound = server;
      Path cert = certPath;
      Path key = keyPath;
      String deployment = await(vertx.deployVerticle(
          () -> new GatewayVerticle(bound, bound.port(), cert, key, modules, httpOptions),
          new DeploymentOptions().setInstances(server.instances())));
      await(Future.all(modules.stream().map(GatewayModule::start).toList()));

      Gateway gateway = new Gateway(vertx, context, modules, embedded, List.of(deployment), server.port());
      gateway.announce();
      return gateway;
    } catch (RuntimeException e) {
      if (vertx != null) {
        tryAwait(vertx.close(), 10_000);
      }
      embedded.ifPresent(EmbeddedRedis::stop);
      throw e;
    }
  }

  public int port() {
    return port;
  }

  public GatewayContext context() {
    return context;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The running module of this type, e.g. {@code module(IdentityModule.class)} (tests, embedders). */
  public <M extends GatewayModule> Optional<M> module(Class<M> type) {
    return modules.stream().filter(type::isInstance).map(type::cast).findFirst();
  }

  /** The embedded Redis server, when the gateway started one. */
  public Optional<EmbeddedRedis> embeddedRedis() {
    return embeddedRedis;
  }

  /**
   * Graceful shutdown: background work stops, each instance closes its WebSockets with 1001 and drains in-flight
   * requests (up to {@code shutdown.drainTimeout}), then Redis, Vert.x and the embedded Redis stop.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    long drainMs = context.config().server().drainTimeout().toMillis();
    tryAwait(Future.join(modules.stream().map(GatewayModule::stop).toList()), 5_000);
    for (String id : deployments) {
      tryAwait(vertx.undeploy(id), drainMs + 5_000);
    }
    tryAwait(context.redis().close(), 5_000);
    tryAwait(vertx.close(), 10_000);
    embeddedRedis.ifPresent(EmbeddedRedis::stop);
    context.registry().close();
    LOG.info("Tonegate stopped");
  }

  private void announce() {
    ServerConfig server = context.config().server();
    String scheme = server.tlsEnabled() ? "https" : "http";
    String host = "0.0.0.0".equals(server.host()) ? "localhost" : server.host();
    String base = scheme + "://" + host + ":" + port;
    System.out.println("Tonegate listening on " + base + " (" + server.instances() + " event-loop instances)");
    System.out.println("  health   " + base + "/health   ready " + base + "/ready   metrics " + base + "/metrics");
    if (embeddedRedis.isPresent()) {
      EmbeddedRedis redis = embeddedRedis.get();
      System.out.println("Redis: embedded redis-server on 127.0.0.1:" + redis.port() + ", AOF data in "
          + redis.dataDir());
    } else {
      RedisConfig redis = context.config().redis();
      System.out.println("Redis: external " + redis.mode().name().toLowerCase() + " at "
          + redis.addresses().stream().map(RedisConfig::redact).toList());
    }
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.await(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("start-up timed out", e);
    } catch (Exception e) {
      throw e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
    }
  }

  private static void tryAwait(Future<?> future, long timeoutMs) {
    try {
      future.await(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.warn("shutdown step did not complete cleanly: {}", e.toString());
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package io.tonegate.presence;

import io.tonegate.gateway.GatewayContext;
import io.tonegate.gateway.GatewayModule;
import io.tonegate.gateway.WebSocketEndpoint;
import io.tonegate.redis.RedisConfig;
import io.tonegate.redis.RedisLease;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Presence: per-user state in Redis with change-only publication, fan-out to WebSocket and SSE subscribers across
 * instances, the calls source, the manual API, and (on the one lease holder) the due-set sweeper and the poller.
 */
public final class PresenceModule implements GatewayModule {

  private final PresenceConfig config;
  private final Vertx vertx;
  private final PresenceStore store;
  private final PresenceHub hub;
  private final PresencePublisher publisher;
  private final CallPresenceSource calls;
  private final PresenceMetrics metrics;
  private final PresenceRoutes routes;
  private final PresenceWebSocketEndpoint endpoint;
  private final RedisLease lease;
  private final PresenceSweeper sweeper;
  private final List<LeaderTask> leaderTasks = new ArrayList<>();
  private final Context leaderContext;
  private final PollRoutes pollRoutes;
  private final WebClient pollHttp;

  /** Work that runs only on the lease holder. */
  interface LeaderTask {
    void start();

    void stop();
  }

  public PresenceModule(GatewayContext ctx, PresenceAccess access) {
    this(ctx, access, System::currentTimeMillis);
  }

  PresenceModule(GatewayContext ctx, PresenceAccess access, LongSupplier clockMs) {
    this.config = PresenceConfig.from(ctx.config().root().section("presence"));
    this.vertx = ctx.vertx();
    PresenceKeys keys = new PresenceKeys(ctx.config().redis().keyPrefix());
    this.metrics = new PresenceMetrics(ctx.registry());
    // Its own context: the hub's state and the subscription connection live there, off the HTTP event loops.
    Context hubContext = vertx.getOrCreateContext();
    PresenceConfig.PubSubMode pubSubMode = config.pubSub().resolve(ctx.config().redis().mode());
    RedisPubSubBus bus = new RedisPubSubBus(hubContext, ctx.redis(), pubSubMode, config.reconnectMinDelay(),
        config.reconnectMaxDelay());
    this.store = new PresenceStore(ctx.redis(), keys, config, bus.publishCommand(), clockMs, ctx.registry(),
        ctx.config().redis().mode() == RedisConfig.Mode.CLUSTER);
    long claimTtl = config.groupClaimTtl().toMillis();
    this.hub = new PresenceHub(vertx, bus, store, hubContext,
        (loop, h) -> new LocalFanout(loop, h, ctx.redis(), keys, claimTtl, metrics));
    this.publisher = new PresencePublisher(vertx, store, clockMs);
    this.calls = new CallPresenceSource(publisher);
    this.routes = new PresenceRoutes(vertx, access, publisher, store, () -> hub, config, metrics, clockMs);
    this.endpoint = new PresenceWebSocketEndpoint(vertx, access, () -> hub, store, config.subscriber(), metrics);
    this.sweeper = new PresenceSweeper(vertx, store, config.sweepInterval().toMillis());
    this.leaderContext = vertx.getOrCreateContext();
    leaderTasks.add(new LeaderTask() {
      @Override
      public void start() {
        sweeper.start();
      }

      @Override
      public void stop() {
        sweeper.stop();
      }
    });
    Optional<TokenCipher> cipher = config.poller().encryptionKey().map(TokenCipher::new);
    PollRegistry registry = new PollRegistry(ctx.redis(), keys, cipher, config.poller().maxUsers());
    this.pollRoutes = new PollRoutes(access, registry, metrics);
    if (config.poller().enabled()) {
      // Held in a field for the module's life: a Vert.x 5 client that is garbage-collected closes itself.
      this.pollHttp = WebClient.create(vertx, new WebClientOptions()
          .setConnectTimeout((int) config.poller().requestTimeout().toMillis())
          .setUserAgent("Tonegate-presence-poller"));
      OAuthTokens tokens = new OAuthTokens(pollHttp, config.poller(), registry, clockMs);
      leaderTasks.add(new PresencePoller(vertx, pollHttp, config.poller(), registry, tokens, publisher, metrics));
    } else {
      this.pollHttp = null;
    }
    this.lease = new RedisLease(vertx, ctx.redis(), keys.lease(), config.leaseTtl(), held -> {
      for (LeaderTask task : leaderTasks) {
        if (held) {
          task.start();
        } else {
          task.stop();
        }
      }
    });
  }

  public PresenceConfig config() {
    return config;
  }

  /** Where the caller capability reports authenticated calls connecting and ending. */
  public CallEvents callEvents() {
    return calls;
  }

  /** Changes presence from in-process sources (the calls source, embedders). */
  public PresencePublisher publisher() {
    return publisher;
  }

  public PresenceMetrics metrics() {
    return metrics;
  }

  /** True while this process holds the presence lease (poller and sweeper run here). */
  public boolean leader() {
    return lease.held();
  }

  @Override
  public void mount(Router router, Vertx vertx) {
    if (config.enabled()) {
      pollRoutes.mount(router);
      routes.mount(router);
    }
  }

  @Override
  public List<WebSocketEndpoint> webSocketEndpoints() {
    return config.enabled() ? List.of(endpoint) : List.of();
  }

  @Override
  public Future<Void> start() {
    if (!config.enabled()) {
      return Future.succeededFuture();
    }
    return hub.start().onSuccess(v -> leaderContext.runOnContext(x -> lease.start()));
  }

  @Override
  public Future<Void> stop() {
    if (!config.enabled()) {
      return Future.succeededFuture();
    }
    io.vertx.core.Promise<Void> released = io.vertx.core.Promise.promise();
    leaderContext.runOnContext(x -> lease.stop().onComplete(released));
    return released.future().otherwiseEmpty().compose(v -> hub.stop()).onComplete(v -> {
      if (pollHttp != null) {
        pollHttp.close();
      }
    });
  }
}

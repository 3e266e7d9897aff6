package io.tonegate.ratelimit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tonegate.testing.TestRedis;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimiterTest {

  private final Vertx vertx = Vertx.vertx();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final String prefix = "rl" + UUID.randomUUID().toString().substring(0, 8) + ":";

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private Redis client() {
    return TestRedis.client(vertx); // this run's topology: standalone, or Sentinel/Cluster in their executions
  }

  @Test
  @DisplayName("two limiters (two instances) sharing Redis admit exactly the limit under concurrency, and count refusals")
  void holdsAcrossInstances() throws Exception {
    RateLimiter a = new RateLimiter(client(), prefix, registry);
    RateLimiter b = new RateLimiter(client(), prefix, registry);
    RateLimit limit = new RateLimit(7, Duration.ofMinutes(1));
    List<Future<RateDecision>> all = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      all.add((i % 2 == 0 ? a : b).acquire("test-scope", "+15551234567", limit));
    }
    Future.all(all).await(10, TimeUnit.SECONDS);
    List<RateDecision> allowed = all.stream().map(Future::result).filter(RateDecision::allowed).toList();
    assertThat(allowed).hasSize(7);
    assertThat(allowed.stream().map(RateDecision::remaining).sorted().toList()).containsExactly(0, 1, 2, 3, 4, 5, 6);
    all.stream().map(Future::result).filter(d -> !d.allowed()).forEach(d -> {
      assertThat(d.retryAfter()).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(1));
      assertThat(d.retryAfterSeconds()).isBetween(1L, 60L);
    });
    assertThat(registry.counter("tonegate.ratelimit.rejections", "scope", "test-scope").count()).isEqualTo(33);
    // Other subjects have their own budget.
    assertThat(a.acquire("test-scope", "+15550000000", limit).await(10, TimeUnit.SECONDS).allowed()).isTrue();
  }

  @Test
  @DisplayName("the window slides: permits come back once the oldest leave the window")
  void windowSlides() throws Exception {
    RateLimiter limiter = new RateLimiter(client(), prefix, registry);
    RateLimit limit = new RateLimit(2, Duration.ofSeconds(1));
    assertThat(limiter.acquire("slide", "s", limit).await(10, TimeUnit.SECONDS).allowed()).isTrue();
    assertThat(limiter.acquire("slide", "s", limit).await(10, TimeUnit.SECONDS).allowed()).isTrue();
    RateDecision refused = limiter.acquire("slide", "s", limit).await(10, TimeUnit.SECONDS);
    assertThat(refused.allowed()).isFalse();
    Thread.sleep(refused.retryAfter().toMillis() + 50);
    assertThat(limiter.acquire("slide", "s", limit).await(10, TimeUnit.SECONDS).allowed()).isTrue();
  }

  @Test
  @DisplayName("a disabled limit admits everything without asking Redis; unsafe subjects are hashed")
  void disabledAndSubjects() throws Exception {
    RateLimiter limiter = new RateLimiter(client(), prefix, registry);
    assertThat(limiter.acquire("off", "x", new RateLimit(0, Duration.ofSeconds(1))).await(10, TimeUnit.SECONDS))
        .isEqualTo(RateDecision.UNLIMITED);
    assertThat(RateLimiter.safeSubject("10.0.0.1")).isEqualTo("10.0.0.1");
    assertThat(RateLimiter.safeSubject("::1")).isEqualTo("::1");
    assertThat(RateLimiter.safeSubject("a}{b")).startsWith("sha256-").hasSize(7 + 64);
    assertThat(limiter.acquire("Bad Scope", "x", new RateLimit(1, Duration.ofSeconds(1)))
        .otherwise((RateDecision) null).await(10, TimeUnit.SECONDS)).isNull();
  }

  @Test
  @DisplayName("the local token bucket admits its rate per second and refills continuously")
  void localBucket() {
    AtomicLong now = new AtomicLong();
    LocalRateLimiter bucket = new LocalRateLimiter(10, now::get);
    int admitted = 0;
    for (int i = 0; i < 25; i++) {
      if (bucket.tryAcquire().allowed()) {
        admitted++;
      }
    }
    assertThat(admitted).isEqualTo(10);
    RateDecision refused = bucket.tryAcquire();
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.retryAfter()).isEqualTo(Duration.ofMillis(100));
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(100));
    assertThat(bucket.tryAcquire().allowed()).isTrue();
    assertThat(bucket.tryAcquire().allowed()).isFalse();
  }
}

package io.tonegate.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tonegate.testing.MutableClock;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TokenRefresherTest {

  final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T12:00:00Z"));
  final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  final AtomicInteger fetches = new AtomicInteger();

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  /** A backend that hands out one-hour tokens numbered by fetch. */
  Supplier<CompletionStage<TokenRefresher.Token>> backend() {
    return () -> {
      int n = fetches.incrementAndGet();
      return CompletableFuture.completedFuture(
          new TokenRefresher.Token("token-" + n, clock.instant().plus(Duration.ofHours(1))));
    };
  }

  @Test
  @DisplayName("A fresh token is reused; inside the refresh window the old one is served while the refresh runs")
  void onDemand() {
    CompletableFuture<TokenRefresher.Token> second = new CompletableFuture<>();
    TokenRefresher tokens = new TokenRefresher(() -> fetches.incrementAndGet() == 1
        ? CompletableFuture.completedFuture(new TokenRefresher.Token("token-1", clock.instant().plusSeconds(3600)))
        : second, Duration.ofMinutes(10), false, scheduler, clock);
    assertThat(tokens.token().toCompletableFuture().join()).isEqualTo("token-1");
    clock.advance(Duration.ofMinutes(49));
    assertThat(tokens.token().toCompletableFuture().join()).isEqualTo("token-1");
    assertThat(fetches).hasValue(1);

    clock.advance(Duration.ofMinutes(2));   // 9 minutes before expiry: refresh starts, old token still served
    assertThat(tokens.token().toCompletableFuture().join()).isEqualTo("token-1");
    assertThat(tokens.token().toCompletableFuture().join()).isEqualTo("token-1");
    assertThat(fetches).as("one refresh in flight, not one per call").hasValue(2);

    second.complete(new TokenRefresher.Token("token-2", clock.instant().plusSeconds(3600)));
    assertThat(tokens.token().toCompletableFuture().join()).isEqualTo("token-2");
  }

  @Test
  @DisplayName("An expired token is never served: the caller waits for the refresh")
  void expired() {
    TokenRefresher tokens = new TokenRefresher(backend(), Duration.ofMinutes(10), false, scheduler, clock);
    tokens.token().toCompletableFuture().join();
    clock.advance(Duration.ofHours(2));
    assertThat(tokens.token().toCompletableFuture().join()).isEqualTo("token-2");
  }

  @Test
  @DisplayName("Concurrent callers during a refresh share one fetch")
  void singleFlight() {
    CompletableFuture<TokenRefresher.Token> pending = new CompletableFuture<>();
    TokenRefresher tokens = new TokenRefresher(() -> {
      fetches.incrementAndGet();
      return pending;
    }, Duration.ofMinutes(10), false, scheduler, clock);
    CompletableFuture<String> a = tokens.token().toCompletableFuture();
    CompletableFuture<String> b = tokens.token().toCompletableFuture();
    assertThat(a).isNotDone();
    pending.complete(new TokenRefresher.Token("t", clock.instant().plus(Duration.ofHours(1))));
    assertThat(a.join()).isEqualTo("t");
    assertThat(b.join()).isEqualTo("t");
    assertThat(fetches).hasValue(1);
  }

  @Test
  @DisplayName("Proactive mode refreshes by itself once the token enters the refresh window")
  void proactive() throws Exception {
    CountDownLatch second = new CountDownLatch(2);
    Supplier<CompletionStage<TokenRefresher.Token>> fetcher = backend();
    // The backend hands out tokens that are already inside the 10-minute window, so the refresh is due at once.
    TokenRefresher tokens = new TokenRefresher(() -> {
      second.countDown();
      return fetcher.get();
    }, Duration.ofMinutes(61), true, scheduler, clock);
    tokens.token().toCompletableFuture().join();
    assertThat(second.await(10, TimeUnit.SECONDS)).isTrue();
    tokens.close();
    assertThat(fetches.get()).isGreaterThanOrEqualTo(2);
  }

  @Test
  @DisplayName("A failing fetch fails the caller; the next call tries again")
  void failure() {
    AtomicInteger calls = new AtomicInteger();
    TokenRefresher tokens = new TokenRefresher(() -> calls.incrementAndGet() == 1
        ? CompletableFuture.failedFuture(new IllegalStateException("backend down"))
        : CompletableFuture.completedFuture(new TokenRefresher.Token("ok", clock.instant().plusSeconds(3600))),
        Duration.ofMinutes(10), false, scheduler, clock);
    assertThatThrownBy(() -> tokens.token().toCompletableFuture().join()).hasMessageContaining("backend down");
    assertThat(tokens.token().toCompletableFuture().join()).isEqualTo("ok");
  }

  @Test
  @DisplayName("Token.fromJwt reads exp from a Tonegate token the way the SDK does")
  void fromJwt() {
    var ring = SigningKeyRing.of(SigningKey.generate(JwtAlgorithm.ES256, clock.instant(), new SecureRandom()));
    IssuedToken issued = new AccessTokenIssuer("i", "a", () -> ring, clock).issue(
        IdentityId.generate("r", new SecureRandom()), EnumSet.of(TokenScope.VOIP), Duration.ofMinutes(60));
    assertThat(TokenRefresher.Token.fromJwt(issued.token()).expiresOn()).isEqualTo(issued.expiresOn());
    assertThatThrownBy(() -> TokenRefresher.Token.fromJwt("abc")).isInstanceOf(IllegalArgumentException.class);
  }
}

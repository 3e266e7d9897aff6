package io.tonegate.identity;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps a client's access token fresh, as {@code CommunicationTokenCredential} does for the Azure SDK but without
 * its dependencies (for the load tests, the simulator and any Java client).
 *
 * <ul>
 *   <li>On demand: {@link #token()} returns the cached token while it is valid for longer than
 *   {@code refreshBefore}; inside that window it starts a refresh and still returns the cached token; once expired
 *   it waits for the refresh. Concurrent callers share one fetch.</li>
 *   <li>Proactive (optional): after each fetch, a refresh is scheduled {@code refreshBefore} ahead of expiry; a
 *   failed proactive refresh is retried with capped exponential backoff while the token lasts.</li>
 * </ul>
 *
 * <pre>{@code
 * TokenRefresher tokens = new TokenRefresher(() -> fetchFromMyBackend(),   // CompletionStage<Token>
 *         TokenRefresher.DEFAULT_REFRESH_BEFORE, true, scheduler, Clock.systemUTC());
 * tokens.token().thenAccept(jwt -> connect(jwt));
 * }</pre>
 */
public final class TokenRefresher implements AutoCloseable {

  /** The SDK's window: a token counts as expiring 10 minutes before {@code exp}. */
  public static final Duration DEFAULT_REFRESH_BEFORE = Duration.ofMinutes(10);
  private static final Duration FIRST_RETRY_DELAY = Duration.ofSeconds(1);
  private static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(30);
  /** The same regex the SDK's TokenParser uses (acs-wire.md §6.2). */
  private static final Pattern EXP_CLAIM = Pattern.compile("\"exp\":*([0-9]+)");

  /** A token and its expiry. */
  public record Token(String value, Instant expiresOn) {
    public Token {
      Objects.requireNonNull(value, "value");
      Objects.requireNonNull(expiresOn, "expiresOn");
    }

    /**
     * Reads {@code exp} from an unverified JWT payload (clients trust the server that just sent it).
     *
     * @throws IllegalArgumentException if the payload has no {@code exp}
     */
    public static Token fromJwt(String jwt) {
      String[] parts = jwt.split("\\.");
      if (parts.length < 2) {
        throw new IllegalArgumentException("not a JWT");
      }
      String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
      Matcher m = EXP_CLAIM.matcher(payload);
      if (!m.find()) {
        throw new IllegalArgumentException("JWT has no exp claim");
      }
      return new Token(jwt, Instant.ofEpochSecond(Long.parseLong(m.group(1))));
    }

    @Override
    public String toString() {
      return "Token[expiresOn=" + expiresOn + ", value=redacted]";
    }
  }

  private final Supplier<CompletionStage<Token>> fetcher;
  private final Duration refreshBefore;
  private final boolean proactive;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;

  private Token current;                              // guarded by this
  private CompletableFuture<Token> inFlight;          // guarded by this
  private ScheduledFuture<?> scheduled;               // guarded by this
  private Duration retryDelay = FIRST_RETRY_DELAY;    // guarded by this
  private boolean closed;                             // guarded by this

  /**
   * @param fetcher fetches a new token (e.g. from the app's backend, which calls {@code :issueAccessToken})
   * @param refreshBefore how long before expiry a token counts as expiring
   * @param proactive whether to refresh in the background ahead of expiry
   * @param scheduler runs proactive refreshes; owned by the caller
   * @param clock the time source
   */
  public TokenRefresher(Supplier<CompletionStage<Token>> fetcher, Duration refreshBefore, boolean proactive,
              ScheduledExecutorService scheduler, Clock clock) {
    this.fetcher = Objects.requireNonNull(fetcher, "fetcher");
    this.refreshBefore = Objects.requireNonNull(refreshBefore, "refreshBefore");
    this.proactive = proactive;
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** A token that is valid now (see the class comment for when this fetches). */
  public CompletionStage<String> token() {
    Instant now = clock.instant();
    CompletableFuture<Token> refresh;
    synchronized (this) {
      if (closed) {
        return CompletableFuture.failedFuture(new IllegalStateException("TokenRefresher is closed"));
      }
      if (current != null && now.isBefore(current.expiresOn().minus(refreshBefore))) {
        return CompletableFuture.completedFuture(current.value());
      }
      refresh = startRefreshLocked();
      if (current != null && now.isBefore(current.expiresOn())) {
        return CompletableFuture.completedFuture(current.value());   // expiring, still valid
      }
    }
    return refresh.thenApply(Token::value);
  }

  /** Forces a refresh now (e.g. after the server refused the token), sharing any refresh already running. */
  public CompletionStage<String> refreshNow() {
    synchronized (this) {
      if (closed) {
        return CompletableFuture.failedFuture(new IllegalStateException("TokenRefresher is closed"));
      }
      return startRefreshLocked().thenApply(Token::value);
    }
  }

  /** Stops proactive refreshing. Pending {@link #token()} calls still complete. */
  @Override
  public synchronized void close() {
    closed = true;
    if (scheduled != null) {
      scheduled.cancel(false);
    }
  }

  private CompletableFuture<Token> startRefreshLocked() {
    if (inFlight != null) {
      return inFlight;
    }
    CompletableFuture<Token> future = new CompletableFuture<>();
    inFlight = future;
    CompletionStage<Token> stage;
    try {
      stage = fetcher.get();
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    stage.whenComplete((token, error) -> onFetched(future, token, error));
    return future;
  }

  private void onFetched(CompletableFuture<Token> future, Token token, Throwable error) {
    synchronized (this) {
      inFlight = null;
      if (error == null && token != null) {
        current = token;
        retryDelay = FIRST_RETRY_DELAY;
        scheduleLocked(Duration.between(clock.instant(), token.expiresOn().minus(refreshBefore)));
      } else if (current != null && clock.instant().isBefore(current.expiresOn())) {
        scheduleLocked(retryDelay);
        retryDelay = min(retryDelay.multipliedBy(2), MAX_RETRY_DELAY);
      }
    }
    if (error != null || token == null) {
      future.completeExceptionally(error != null ? error : new IllegalStateException("fetcher returned null"));
    } else {
      future.complete(token);
    }
  }

  private void scheduleLocked(Duration delay) {
    if (!proactive || closed) {
      return;
    }
    if (scheduled != null) {
      scheduled.cancel(false);
    }
    long millis = Math.max(0, delay.toMillis());
    scheduled = scheduler.schedule(this::proactiveRefresh, millis, TimeUnit.MILLISECONDS);
  }

  private void proactiveRefresh() {
    synchronized (this) {
      if (!closed) {
        startRefreshLocked();
      }
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}

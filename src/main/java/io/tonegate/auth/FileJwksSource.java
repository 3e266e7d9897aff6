package io.tonegate.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.nio.file.Path;
import java.time.Clock;

/**
 * Keys from a local JWKS file, read without blocking. Replacing the file rotates keys: it is re-read on an unknown
 * {@code kid} (at most once per {@code minRefreshInterval}) and every {@code refreshInterval}.
 */
final class FileJwksSource extends CachingKeySource {

  private final Path file;

  FileJwksSource(Vertx vertx, String name, Path file, JwtValidatorConfig config, Clock clock, AuthMetrics metrics) {
    super(vertx, name, config.refreshInterval(), config.minRefreshInterval(), clock, metrics);
    this.file = file;
  }

  @Override
  protected String describe() {
    return file.toString();
  }

  @Override
  protected Future<String> load() {
    return vertx.fileSystem().readFile(file.toString())
        .recover(e -> Future.failedFuture(new LoadFailure(Outcome.UNREACHABLE, "cannot read " + file)))
        .compose(buffer -> buffer.length() > RemoteJwksSource.MAX_DOCUMENT_BYTES
            ? Future.failedFuture(new LoadFailure(Outcome.INVALID_DOCUMENT, "larger than 1 MiB"))
            : Future.succeededFuture(buffer.toString()));
  }
}

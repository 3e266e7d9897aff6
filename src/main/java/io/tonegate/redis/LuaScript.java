package io.tonegate.redis;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script run atomically by Redis. Sent as EVALSHA (one round trip, no script body on the wire); when Redis
 * answers NOSCRIPT (after a restart or failover, the script cache is empty) it is sent once as EVAL, which also
 * caches it again.
 *
 * <p>Scripts that touch several keys must use keys in one hash slot (a shared {@code {hash tag}}) to work on Cluster.
 */
public final class LuaScript {

  private final String source;
  private final String sha1;

  public LuaScript(String source) {
    this.source = source;
    this.sha1 = sha1Hex(source);
  }

  /** Loads a script from the classpath, e.g. {@code /lua/consume-session.lua}. */
  public static LuaScript fromResource(String resource) {
    try (InputStream in = LuaScript.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing Lua script " + resource);
      }
      return new LuaScript(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String sha1() {
    return sha1;
  }

  /** Runs the script with {@code keys} and {@code args}. */
  public Future<Response> run(Redis redis, List<String> keys, List<String> args) {
    return redis.send(request(Command.EVALSHA, sha1, keys, args))
        .recover(error -> isNoScript(error)
            ? redis.send(request(Command.EVAL, source, keys, args))
            : Future.failedFuture(error));
  }

  private static Request request(Command command, String script, List<String> keys, List<String> args) {
    Request request = Request.cmd(command).arg(script).arg(keys.size());
    for (String key : keys) {
      request.arg(key);
    }
    for (String arg : args) {
      request.arg(arg);
    }
    return request;
  }

  /** True for Redis's NOSCRIPT reply: the script is not in its cache. */
  static boolean isNoScript(Throwable error) {
    String message = error.getMessage();
    return message != null && message.startsWith("NOSCRIPT");
  }

  private static String sha1Hex(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

package io.tonegate.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A tiny blocking RESP2 client for test set-up and inspection (CLUSTER MEET, SENTINEL ..., INFO, SHUTDOWN). It is
 * deliberately independent of the Vert.x client under test, so a harness problem is never mistaken for a client
 * problem. Every call has a socket timeout. Replies: {@code String} (simple and bulk), {@code Long}, {@code List}, or
 * {@code null}; an error reply throws {@link RespError}.
 */
public final class RespClient implements AutoCloseable {

  /** An error reply (-ERR ..., -MOVED ..., -LOADING ...). */
  public static final class RespError extends RuntimeException {
    public RespError(String message) {
      super(message, null, false, false);
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private RespClient(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new BufferedInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  /** Connects to 127.0.0.1:{@code port} with a connect and read timeout of {@code timeoutMs}. */
  public static RespClient connect(int port, int timeoutMs) {
    Socket socket = new Socket();
    try {
      socket.connect(new InetSocketAddress("127.0.0.1", port), timeoutMs);
      socket.setSoTimeout(timeoutMs);
      return new RespClient(socket);
    } catch (IOException e) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // already failing
      }
      throw new UncheckedIOException("cannot connect to redis on 127.0.0.1:" + port + ": " + e.getMessage(), e);
    }
  }

  /** Opens a connection, sends one command, returns its reply, closes. */
  public static Object call(int port, Object... args) {
    try (RespClient client = connect(port, 5_000)) {
      return client.send(args);
    }
  }

  /** Sends one command and reads its reply. */
  public Object send(Object... args) {
    try {
      ByteArrayOutputStream request = new ByteArrayOutputStream();
      request.write(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
      for (Object arg : args) {
        byte[] bytes = String.valueOf(arg).getBytes(StandardCharsets.UTF_8);
        request.write(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        request.write(bytes);
        request.write("\r\n".getBytes(StandardCharsets.US_ASCII));
      }
      out.write(request.toByteArray());
      out.flush();
      return read();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads one more reply (pub/sub messages after SUBSCRIBE). */
  public Object read() throws IOException {
    int type = in.read();
    if (type < 0) {
      throw new EOFException("redis closed the connection");
    }
    String line = readLine();
    return switch (type) {
      case '+' -> line;
      case '-' -> throw new RespError(line);
      case ':' -> Long.parseLong(line);
      case '$' -> {
        int length = Integer.parseInt(line);
        if (length < 0) {
          yield null;
        }
        byte[] bytes = in.readNBytes(length);
        readLine();
        yield new String(bytes, StandardCharsets.UTF_8);
      }
      case '*' -> {
        int count = Integer.parseInt(line);
        if (count < 0) {
          yield null;
        }
        List<Object> items = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          try {
            items.add(read());
          } catch (RespError nested) {
            items.add(nested);
          }
        }
        yield items;
      }
      default -> throw new IOException("unexpected RESP type byte " + (char) type);
    };
  }

  private String readLine() throws IOException {
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = in.read()) != '\r') {
      if (c < 0) {
        throw new EOFException("redis closed the connection");
      }
      line.append((char) c);
    }
    in.read(); // '\n'
    return line.toString();
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // nothing to release
    }
  }
}

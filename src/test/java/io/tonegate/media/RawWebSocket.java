package io.tonegate.media;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;

/**
 * A bare WSS client on a JDK socket with a tiny receive buffer, for peers that stop reading: Vert.x clients keep
 * reading into memory when paused, so they cannot make the gateway's socket back up.
 */
final class RawWebSocket implements AutoCloseable {

  private final SSLSocket socket;
  private final OutputStream out;

  private RawWebSocket(SSLSocket socket) throws Exception {
    this.socket = socket;
    this.out = socket.getOutputStream();
  }

  static RawWebSocket open(int port, Path certPem, String callId, String token) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(certPem)) {
      trust.setCertificateEntry("gateway", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, tmf.getTrustManagers(), null);
    SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket();
    socket.setReceiveBufferSize(4096);
    socket.connect(new java.net.InetSocketAddress("localhost", port), 5000);
    socket.setSoTimeout(10_000);
    String request = "GET /ws/media HTTP/1.1\r\nHost: localhost:" + port + "\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        + "x-ms-call-connection-id: " + callId + "\r\nx-ms-call-correlation-id: corr-" + callId + "\r\n"
        + "Authorization: Bearer " + token + "\r\n\r\n";
    socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IllegalStateException("connection closed during the upgrade");
      }
      head.write(b);
    }
    if (!head.toString(StandardCharsets.US_ASCII).startsWith("HTTP/1.1 101")) {
      throw new IllegalStateException("upgrade refused: " + head.toString(StandardCharsets.US_ASCII).lines().findFirst());
    }
    return new RawWebSocket(socket);
  }

  /** Sends one masked text frame (RFC 6455 §5.2; a zero mask key keeps it simple). */
  void sendText(String text) throws Exception {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    frame.write(0x81);
    if (payload.length < 126) {
      frame.write(0x80 | payload.length);
    } else {
      frame.write(0x80 | 126);
      frame.write(payload.length >> 8);
      frame.write(payload.length & 0xFF);
    }
    frame.write(new byte[4]); // mask key 0: payload unchanged
    frame.write(payload);
    out.write(frame.toByteArray());
    out.flush();
  }

  /** Sends a masked close frame with {@code code}, leaving the TCP connection open. */
  void sendClose(int code) throws Exception {
    out.write(new byte[] {(byte) 0x88, (byte) 0x82, 0, 0, 0, 0, (byte) (code >> 8), (byte) code});
    out.flush();
  }

  /** Reads frames (discarding them) until the gateway's close frame; returns its status code. */
  int awaitCloseFrame() throws Exception {
    InputStream in = socket.getInputStream();
    while (true) {
      int first = in.read();
      int second = in.read();
      if (first < 0 || second < 0) {
        throw new IllegalStateException("connection closed before a close frame");
      }
      long length = second & 0x7F;   // server frames are not masked
      if (length == 126) {
        length = (in.read() << 8) | in.read();
      } else if (length == 127) {
        length = 0;
        for (int i = 0; i < 8; i++) {
          length = (length << 8) | in.read();
        }
      }
      byte[] payload = in.readNBytes((int) length);
      if ((first & 0x0F) == 0x8) {
        return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
      }
    }
  }

  /** Drops the connection without a close frame: a TCP reset, as when the peer's host goes away mid-stream. */
  void reset() throws Exception {
    socket.setSoLinger(true, 0);
    socket.close();
  }

  @Override
  public void close() throws Exception {
    socket.close();
  }
}

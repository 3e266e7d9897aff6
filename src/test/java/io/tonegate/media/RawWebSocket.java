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

  @Override
  public void close() throws Exception {
    socket.close();
  }
}

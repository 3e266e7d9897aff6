package io.tonegate.testing;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;

/**
 * Raw bytes over TLS to a test gateway, below any HTTP client: for requests no client library would send (broken
 * request lines, smuggling headers, header bombs, partial requests). Trusts only the gateway's certificate.
 */
public final class RawHttps {

  /** What came back: the status of the first response line, or that the server closed, or that nothing came. */
  public record Answer(int status, boolean closed, boolean timedOut, String head) {

    public boolean refusedOrClosed() {
      return !timedOut && (closed || (status >= 400 && status < 500));
    }

    @Override
    public String toString() {
      return timedOut ? "no answer" : status > 0 ? "HTTP " + status : closed ? "closed" : "?";
    }
  }

  private final SSLContext context;
  private final int port;

  public RawHttps(Path certPem, int port) {
    this.port = port;
    try (InputStream in = Files.newInputStream(certPem)) {
      X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      trust.setCertificateEntry("gateway", cert);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
    } catch (Exception e) {
      throw new IllegalStateException("cannot trust " + certPem, e);
    }
  }

  public static RawHttps to(TestGateway gateway) {
    return new RawHttps(gateway.certPath(), gateway.port());
  }

  /** Opens a TLS connection (handshake done) with {@code readTimeoutMs} on reads. The caller closes it. */
  public SSLSocket open(int readTimeoutMs) throws IOException {
    SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    socket.setSoTimeout(readTimeoutMs);
    socket.startHandshake();
    return socket;
  }

  /**
   * Sends {@code request} on a fresh connection and reads the answer's head for up to {@code waitMs}. With
   * {@code halfClose} the client then signals it has nothing more to send (TLS close_notify), as a client that gave up
   * mid-request would.
   */
  public Answer exchange(byte[] request, boolean halfClose, int waitMs) throws IOException {
    try (SSLSocket socket = open(waitMs)) {
      OutputStream out = socket.getOutputStream();
      try {
        out.write(request);
        out.flush();
        if (halfClose) {
          socket.shutdownOutput();
        }
      } catch (SocketException e) {
        return new Answer(-1, true, false, "closed while sending: " + e.getMessage());
      }
      return readHead(socket.getInputStream());
    }
  }

  public Answer exchange(String request, boolean halfClose, int waitMs) throws IOException {
    return exchange(request.getBytes(StandardCharsets.ISO_8859_1), halfClose, waitMs);
  }

  /** Reads up to the end of the response head; a close or reset before any byte counts as closed. */
  public static Answer readHead(InputStream in) {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    try {
      int c;
      while ((c = in.read()) >= 0) {
        head.write(c);
        byte[] sofar = head.toByteArray();
        int n = sofar.length;
        if (n >= 4 && sofar[n - 4] == '\r' && sofar[n - 3] == '\n' && sofar[n - 2] == '\r' && sofar[n - 1] == '\n') {
          break;
        }
        if (n > 64 * 1024) {
          break;
        }
      }
    } catch (SocketTimeoutException e) {
      if (head.size() == 0) {
        return new Answer(-1, false, true, "");
      }
    } catch (IOException e) {
      // reset or TLS alert: the server dropped the connection
    }
    String text = head.toString(StandardCharsets.ISO_8859_1);
    if (text.startsWith("HTTP/")) {
      String[] parts = text.split(" ", 3);
      return new Answer(Integer.parseInt(parts[1].trim()), false, false, text);
    }
    return new Answer(-1, true, false, text);
  }
}

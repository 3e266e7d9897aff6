package io.tonegate.identity;

import com.azure.communication.identity.CommunicationIdentityClient;
import com.azure.communication.identity.CommunicationIdentityClientBuilder;
import com.azure.core.http.HttpClient;
import com.azure.core.http.okhttp.OkHttpAsyncHttpClientBuilder;
import com.azure.core.http.policy.FixedDelayOptions;
import com.azure.core.http.policy.RetryOptions;
import io.tonegate.testing.TestGateway;
import okhttp3.OkHttpClient;

import java.io.InputStream;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The official ACS identity SDK (1.4.10) pointed at a test gateway: a plain ACS connection string with the gateway's
 * https endpoint (the SDK refuses http, acs-wire.md §6.3), over OkHttp trusting only the gateway's dev certificate.
 */
final class AcsSdkClients {

  private AcsSdkClients() {
  }

  static CommunicationIdentityClient identityClient(TestGateway gateway, String base64Key) {
    return new CommunicationIdentityClientBuilder()
        .connectionString("endpoint=https://localhost:" + gateway.port() + "/;accesskey=" + base64Key)
        .httpClient(httpClient(gateway))
        .retryOptions(new RetryOptions(new FixedDelayOptions(0, Duration.ofMillis(10))))
        .buildClient();
  }

  static HttpClient httpClient(TestGateway gateway) {
    try (InputStream pem = Files.newInputStream(gateway.certPath())) {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      trust.setCertificateEntry("tonegate", CertificateFactory.getInstance("X.509").generateCertificate(pem));
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trust);
      X509TrustManager trustManager = (X509TrustManager) factory.getTrustManagers()[0];
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(null, new TrustManager[] {trustManager}, null);
      OkHttpClient ok = new OkHttpClient.Builder().sslSocketFactory(ssl.getSocketFactory(), trustManager).build();
      return new OkHttpAsyncHttpClientBuilder(ok).build();
    } catch (Exception e) {
      throw new IllegalStateException("cannot trust the test gateway's certificate", e);
    }
  }
}

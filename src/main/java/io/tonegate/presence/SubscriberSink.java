package io.tonegate.presence;

/** Where a subscriber's frames go: a WebSocket or an SSE response. Used on the connection's event loop only. */
interface SubscriberSink {

  /** True when the connection buffers more than it should: stop writing until the drain handler runs. */
  boolean writeQueueFull();

  /** Writes one frame; {@code type} is the frame's {@code type} field (SSE uses it as the event name). */
  void write(String type, String json);

  void drainHandler(Runnable handler);

  /** Closes the connection; WebSockets use {@code code} (1008 for a stuck subscriber), SSE simply ends. */
  void close(short code, String reason);
}

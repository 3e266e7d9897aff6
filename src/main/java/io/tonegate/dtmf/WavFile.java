package io.tonegate.dtmf;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A 16-bit PCM mono WAV file at 8, 16 or 24 kHz, the audio the DTMF receiver takes. {@link #open} reads and checks
 * the header (and that the data is all there) before any sample is read, so a bad file fails before any output.
 */
public final class WavFile {

  /** A file that is not a WAV file the receiver can take; the message is one line for the user. */
  public static final class UnsupportedWavException extends IOException {
    private static final long serialVersionUID = 1L;

    public UnsupportedWavException(String message) {
      super(message);
    }
  }

  private static final int WAVE_FORMAT_PCM = 1;
  private static final int WAVE_FORMAT_EXTENSIBLE = 0xFFFE;
  /** Some writers that stream put this (or 0) as the data size; then the data runs to the end of the file. */
  private static final long STREAMING_SIZE = 0xFFFFFFFFL;

  private final Path path;
  private final int sampleRate;
  private final long dataOffset;
  private final long dataBytes;

  private WavFile(Path path, int sampleRate, long dataOffset, long dataBytes) {
    this.path = path;
    this.sampleRate = sampleRate;
    this.dataOffset = dataOffset;
    this.dataBytes = dataBytes;
  }

  /**
   * Opens and checks a WAV file.
   *
   * @throws UnsupportedWavException if it is not a complete 16-bit PCM mono WAV file at 8, 16 or 24 kHz
   * @throws IOException if it cannot be read
   */
  public static WavFile open(Path path) throws IOException {
    long fileSize;
    try {
      fileSize = Files.size(path);
    } catch (NoSuchFileException e) {
      throw new UnsupportedWavException("no such file: " + path);
    }
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      ByteBuffer riff = read(ch, 0, 12, "not a WAV file: shorter than a RIFF header");
      if (riff.getInt(0) != fourCc("RIFF") || riff.getInt(8) != fourCc("WAVE")) {
        throw new UnsupportedWavException("not a WAV file: no RIFF/WAVE header");
      }
      long pos = 12;
      int rate = -1;
      while (true) {
        if (pos + 8 > fileSize) {
          throw new UnsupportedWavException(rate < 0
              ? "truncated WAV file: no fmt chunk" : "truncated WAV file: no data chunk");
        }
        ByteBuffer chunk = read(ch, pos, 8, "truncated WAV file: cut inside a chunk header");
        int id = chunk.getInt(0);
        long size = Integer.toUnsignedLong(chunk.getInt(4));
        long body = pos + 8;
        if (id == fourCc("fmt ")) {
          if (size < 16 || body + size > fileSize) {
            throw new UnsupportedWavException("truncated WAV file: fmt chunk of " + size + " bytes");
          }
          rate = checkFormat(read(ch, body, (int) Math.min(size, 40), "truncated WAV file: fmt chunk"), (int) size);
        } else if (id == fourCc("data")) {
          if (rate < 0) {
            throw new UnsupportedWavException("unsupported WAV file: data chunk before the fmt chunk");
          }
          if (size == STREAMING_SIZE || size == 0 && fileSize > body) {
            size = fileSize - body;
          }
          if (body + size > fileSize) {
            throw new UnsupportedWavException("truncated WAV file: the data chunk declares " + size
                + " bytes but only " + (fileSize - body) + " follow");
          }
          if (size % 2 != 0) {
            throw new UnsupportedWavException("truncated WAV file: odd number of data bytes for 16-bit samples");
          }
          return new WavFile(path, rate, body, size);
        }
        pos = body + size + (size & 1); // chunks are padded to an even size
      }
    }
  }

  private static int checkFormat(ByteBuffer fmt, int size) throws UnsupportedWavException {
    int format = fmt.getShort(0) & 0xffff;
    int channels = fmt.getShort(2) & 0xffff;
    int rate = fmt.getInt(4);
    int bits = fmt.getShort(14) & 0xffff;
    if (format == WAVE_FORMAT_EXTENSIBLE && size >= 26 && fmt.limit() >= 26) {
      format = fmt.getShort(24) & 0xffff; // first two bytes of the SubFormat GUID
    }
    if (format != WAVE_FORMAT_PCM) {
      throw new UnsupportedWavException("unsupported WAV file: format " + formatName(format)
          + ", need 16-bit PCM");
    }
    if (channels != 1) {
      throw new UnsupportedWavException("unsupported WAV file: " + channels + " channels, need mono");
    }
    if (bits != 16) {
      throw new UnsupportedWavException("unsupported WAV file: " + bits + "-bit samples, need 16-bit PCM");
    }
    if (rate != 8000 && rate != 16000 && rate != 24000) {
      throw new UnsupportedWavException("unsupported WAV file: " + Integer.toUnsignedString(rate)
          + " Hz, need 8000, 16000 or 24000 Hz");
    }
    return rate;
  }

  private static String formatName(int format) {
    return switch (format) {
      case 3 -> "3 (IEEE float)";
      case 6 -> "6 (A-law)";
      case 7 -> "7 (mu-law)";
      default -> String.valueOf(format);
    };
  }

  private static ByteBuffer read(FileChannel ch, long pos, int n, String truncated) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    while (b.hasRemaining()) {
      if (ch.read(b, pos + b.position()) < 0) {
        throw new UnsupportedWavException(truncated);
      }
    }
    return b.flip();
  }

  private static int fourCc(String s) {
    return (s.charAt(0)) | (s.charAt(1) << 8) | (s.charAt(2) << 16) | (s.charAt(3) << 24);
  }

  /** The sample rate in Hz: 8000, 16000 or 24000. */
  public int sampleRate() {
    return sampleRate;
  }

  /** Number of samples. */
  public long samples() {
    return dataBytes / 2;
  }

  /** Streams the samples into a receiver (in 64 KiB slices) and finishes it. */
  public void decode(DtmfReceiver receiver) throws IOException {
    if (receiver.sampleRate() != sampleRate) {
      throw new IllegalArgumentException("receiver runs at " + receiver.sampleRate() + " Hz, file is " + sampleRate);
    }
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = Files.newInputStream(path)) {
      in.skipNBytes(dataOffset);
      long left = dataBytes;
      while (left > 0) {
        int n = in.read(buf, 0, (int) Math.min(buf.length, left));
        if (n < 0) {
          throw new UnsupportedWavException("truncated WAV file: it shrank while being read");
        }
        receiver.feed(buf, 0, n);
        left -= n;
      }
    }
    receiver.finish();
  }

  /** Reads all samples (for tests and small files). */
  public short[] readAll() throws IOException {
    if (samples() > Integer.MAX_VALUE - 8) {
      throw new UnsupportedWavException("WAV file too large to read at once");
    }
    byte[] bytes = new byte[(int) dataBytes];
    try (InputStream in = Files.newInputStream(path)) {
      in.skipNBytes(dataOffset);
      if (in.readNBytes(bytes, 0, bytes.length) != bytes.length) {
        throw new UnsupportedWavException("truncated WAV file: it shrank while being read");
      }
    }
    short[] pcm = new short[bytes.length / 2];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(pcm);
    return pcm;
  }

  /** Writes 16-bit PCM mono samples as a WAV file (tests and tools use it). */
  public static void write(Path path, int sampleRate, short[] pcm, int off, int len) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(44 + 2 * len).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(fourCc("RIFF")).putInt(36 + 2 * len).putInt(fourCc("WAVE"));
    b.putInt(fourCc("fmt ")).putInt(16).putShort((short) WAVE_FORMAT_PCM).putShort((short) 1)
        .putInt(sampleRate).putInt(sampleRate * 2).putShort((short) 2).putShort((short) 16);
    b.putInt(fourCc("data")).putInt(2 * len);
    for (int i = 0; i < len; i++) {
      b.putShort(pcm[off + i]);
    }
    Files.write(path, b.array());
  }
}

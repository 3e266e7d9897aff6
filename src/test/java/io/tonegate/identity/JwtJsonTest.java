package io.tonegate.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class JwtJsonTest {

  @Test
  @DisplayName("Any string values, at any alignment, encode to base64url without '-' or '_' and read back intact")
  void base64SafeForAnyContent() {
    Random random = new Random(42);
    for (int i = 0; i < 5000; i++) {
      StringBuilder s = new StringBuilder();
      int length = random.nextInt(40);
      for (int j = 0; j < length; j++) {
        s.append(random.nextInt(10) == 0 ? (char) (0x80 + random.nextInt(0x3000)) : (char) random.nextInt(0x80));
      }
      String prefix = "p".repeat(random.nextInt(3));
      String json = new JwtJson.ObjectWriter().field(prefix, s.toString()).field("n", random.nextLong())
          .field("l", List.of(s.toString(), "x")).toJson();
      String encoded = JwtJson.base64Url(json.getBytes(StandardCharsets.UTF_8));
      assertThat(encoded).doesNotContain("-", "_");
      Map<String, Object> back = JwtJson.parseObject(Base64.getDecoder().decode(encoded));
      assertThat(back.get(prefix)).isEqualTo(s.toString());
      assertThat(back.get("l")).isEqualTo(List.of(s.toString(), "x"));
    }
  }

  @Test
  @DisplayName("Duplicate members, trailing data, deep nesting and non-objects are refused")
  void parserLimits() {
    for (String bad : List.of("{\"a\":1,\"a\":2}", "{\"a\":null,\"a\":null}", "{} {}", "[]", "\"x\"", "{",
        "{\"a\":" + "[".repeat(20) + "]".repeat(20) + "}")) {
      assertThatThrownBy(() -> JwtJson.parseObject(bad.getBytes(StandardCharsets.UTF_8)))
          .as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }
}

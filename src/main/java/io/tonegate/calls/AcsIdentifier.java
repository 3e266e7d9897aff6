package io.tonegate.calls;

import io.vertx.core.json.JsonObject;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An ACS communication identifier (a phone number, an ACS user, a Teams user...), converted between its raw id
 * ({@code 4:+18005550100}, {@code 8:acs:...}) and the REST {@code CommunicationIdentifierModel} JSON
 * (acs-wire.md §2.1), following the Java SDK's {@code CommunicationIdentifier.fromRawId} prefixes.
 *
 * @param kind the model kind: {@code phoneNumber}, {@code communicationUser}, {@code microsoftTeamsUser},
 *     {@code microsoftTeamsApp} or {@code unknown}
 * @param rawId the raw id, never empty
 */
public record AcsIdentifier(String kind, String rawId) {

  public static final String PHONE_NUMBER = "phoneNumber";
  public static final String COMMUNICATION_USER = "communicationUser";
  public static final String UNKNOWN = "unknown";

  private static final Pattern E164 = Pattern.compile("\\+[1-9]\\d{1,14}");
  private static final String PHONE_PREFIX = "4:";

  public AcsIdentifier {
    Objects.requireNonNull(kind, "kind");
    if (rawId == null || rawId.isEmpty()) {
      throw new IllegalArgumentException("rawId must not be empty");
    }
  }

  /** True for an E.164 number with its {@code +}. */
  public static boolean isE164(String value) {
    return value != null && E164.matcher(value).matches();
  }

  /** A phone number identifier from an E.164 number. */
  public static AcsIdentifier phoneNumber(String e164) {
    if (!isE164(e164)) {
      throw new IllegalArgumentException("not an E.164 number");
    }
    return new AcsIdentifier(PHONE_NUMBER, PHONE_PREFIX + e164);
  }

  /**
   * The identifier a raw id or a bare E.164 number names, with the SDK's prefix rules: {@code 4:} phone numbers;
   * {@code 8:acs:}, {@code 8:spool:}, {@code 8:dod-acs:}, {@code 8:gcch-acs:} ACS users; {@code 8:orgid:},
   * {@code 8:dod:}, {@code 8:gcch:}, {@code 8:teamsvisitor:} Teams users; {@code 28:} Teams apps; anything else
   * unknown.
   */
  public static AcsIdentifier fromRawId(String rawId) {
    if (rawId == null || rawId.isBlank()) {
      throw new IllegalArgumentException("raw id is empty");
    }
    if (isE164(rawId)) {
      return phoneNumber(rawId);
    }
    if (rawId.startsWith(PHONE_PREFIX)) {
      return new AcsIdentifier(PHONE_NUMBER, rawId);
    }
    for (String prefix : new String[] {"8:acs:", "8:spool:", "8:dod-acs:", "8:gcch-acs:"}) {
      if (rawId.startsWith(prefix)) {
        return new AcsIdentifier(COMMUNICATION_USER, rawId);
      }
    }
    for (String prefix : new String[] {"8:orgid:", "8:dod:", "8:gcch:", "8:teamsvisitor:"}) {
      if (rawId.startsWith(prefix)) {
        return new AcsIdentifier("microsoftTeamsUser", rawId);
      }
    }
    if (rawId.startsWith("28:")) {
      return new AcsIdentifier("microsoftTeamsApp", rawId);
    }
    return new AcsIdentifier(UNKNOWN, rawId);
  }

  /**
   * Reads a {@code CommunicationIdentifierModel}: {@code rawId} when present, else the kind's sub-object
   * ({@code phoneNumber.value}, {@code communicationUser.id}).
   *
   * @throws IllegalArgumentException when the model names no identifier
   */
  public static AcsIdentifier fromModel(JsonObject model) {
    if (model == null) {
      throw new IllegalArgumentException("identifier is missing");
    }
    String rawId = model.getValue("rawId") instanceof String s && !s.isBlank() ? s : null;
    if (rawId == null && model.getValue("phoneNumber") instanceof JsonObject phone
        && phone.getValue("value") instanceof String number) {
      rawId = PHONE_PREFIX + number;
    }
    if (rawId == null && model.getValue("communicationUser") instanceof JsonObject user
        && user.getValue("id") instanceof String id) {
      rawId = id;
    }
    if (rawId == null) {
      throw new IllegalArgumentException("identifier has neither rawId nor a known kind");
    }
    return fromRawId(rawId);
  }

  public boolean isPhoneNumber() {
    return PHONE_NUMBER.equals(kind);
  }

  /** The E.164 number of a phone identifier; the raw id of any other. */
  public String displayId() {
    return isPhoneNumber() ? rawId.substring(PHONE_PREFIX.length()) : rawId;
  }

  /** The {@code CommunicationIdentifierModel} JSON, with {@code kind}, {@code rawId} and the kind's sub-object. */
  public JsonObject toModel() {
    JsonObject model = new JsonObject().put("kind", kind).put("rawId", rawId);
    switch (kind) {
      case PHONE_NUMBER -> model.put(PHONE_NUMBER, new JsonObject().put("value", displayId()));
      case COMMUNICATION_USER -> model.put(COMMUNICATION_USER, new JsonObject().put("id", rawId));
      default -> { }
    }
    return model;
  }
}

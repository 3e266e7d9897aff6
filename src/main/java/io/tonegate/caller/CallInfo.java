package io.tonegate.caller;

import java.util.Optional;

/**
 * What caller authentication needs to know about a call, from its call record
 * ({@code <keyPrefix>call:{<callConnectionId>}}, written by the calls module when it answers or places the call).
 *
 * @param callConnectionId the ACS call connection id
 * @param correlationId    the ACS correlation id (for logs and events)
 * @param flow             how the call authenticates
 * @param ani              the caller's number, E.164-normalised; empty when the caller is not a phone number
 * @param sipCallId        the SIP Call-ID, when the call came through a SIP trunk / SBC
 */
public record CallInfo(String callConnectionId, String correlationId, CallerFlow flow, Optional<String> ani,
                       Optional<String> sipCallId) {
}

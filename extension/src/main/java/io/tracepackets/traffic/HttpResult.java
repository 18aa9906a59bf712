package io.tracepackets.traffic;

import java.net.URI;
import java.time.Duration;

/**
 * What happened to one HTTP request: the status and body when a response came, else the
 * {@link Outcome} of the failure (refused, timed out...) and its error text.
 *
 * @param uri the URI requested
 * @param outcome how the request ended: {@link Outcome#COMPLETED} whenever a response arrived,
 *     whatever its status
 * @param status the response status, or -1 when no response arrived
 * @param body the response body as text (UTF-8), empty when no response arrived
 * @param failure the error text when no response arrived, else null
 * @param elapsed from the start of connecting to the response, or to the failure
 */
public record HttpResult(URI uri, Outcome outcome, int status, String body, String failure, Duration elapsed) {

	/**
	 * Whether a response arrived (any status).
	 *
	 * @return true for any response, 404 and 500 included; false when refused, timed out...
	 */
	public boolean isCompleted() {
		return outcome == Outcome.COMPLETED;
	}

	@Override
	public String toString() {
		return "HttpResult[GET " + uri + ": " + (outcome == Outcome.COMPLETED ? "status " + status
				: outcome + ", " + failure) + ", " + elapsed.toMillis() + " ms]";
	}
}

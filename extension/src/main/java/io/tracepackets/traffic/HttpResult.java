package io.tracepackets.traffic;

import java.net.URI;
import java.time.Duration;

/**
 * What happened to one HTTP request: the status and body when a response came, else the
 * {@link Outcome} of the failure (refused, timed out...) and its error text.
 */
public final class HttpResult {

	private final URI uri;
	private final Outcome outcome;
	private final int status;
	private final String body;
	private final String failure;
	private final Duration elapsed;

	HttpResult(URI uri, Outcome outcome, int status, String body, String failure, Duration elapsed) {
		this.uri = uri;
		this.outcome = outcome;
		this.status = status;
		this.body = body;
		this.failure = failure;
		this.elapsed = elapsed;
	}

	public URI uri() {
		return uri;
	}

	public Outcome outcome() {
		return outcome;
	}

	/** Whether a response arrived (any status). */
	public boolean isCompleted() {
		return outcome == Outcome.COMPLETED;
	}

	/** The response status, or -1 when no response arrived. */
	public int status() {
		return status;
	}

	/** The response body as text (UTF-8), empty when no response arrived. */
	public String body() {
		return body;
	}

	/** The error text when no response arrived, else null. */
	public String failure() {
		return failure;
	}

	public Duration elapsed() {
		return elapsed;
	}

	@Override
	public String toString() {
		return "HttpResult[GET " + uri + ": " + (outcome == Outcome.COMPLETED ? "status " + status
				: outcome + ", " + failure) + ", " + elapsed.toMillis() + " ms]";
	}
}

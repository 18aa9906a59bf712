package io.tracepackets;

/**
 * When a traced test leaves its trace as files beside its report ({@link TracePackets#artifacts()}):
 * JSON lines, one event per line, and pcapng for Wireshark (with the packets' bytes when
 * {@link TracePackets#snapLength()} asks for them), published through JUnit's file publishing so
 * IDEs and report tools show them, and named in the failure message.
 */
public enum Artifacts {

	/** Only for a test that fails: the evidence a person opens to see why (the default). */
	ON_FAILURE,

	/** For every test, passing or not. */
	ALWAYS,

	/** Never. */
	NEVER
}

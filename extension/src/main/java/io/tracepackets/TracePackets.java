package io.tracepackets;

import io.tracepackets.internal.junit.TracePacketsExtension;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code @TracePackets} traces, for the duration of each test, what the Linux kernel does with
 * the packets of the test's network namespaces, and injects the result as a {@link PacketTrace}
 * parameter.
 *
 * <h2>Scope</h2>
 * The trace covers the network namespaces of the test instance's Testcontainers containers (its
 * {@code @Container} fields and, in a Spring test, its context's container beans; or only those
 * named in {@link #containers()}), plus the host's
 * when {@link #hostNetwork()} is set, plus whatever the test adds with
 * {@link PacketTrace#scope(org.testcontainers.containers.Container)}.
 *
 * <h2>When tracing is impossible</h2>
 * Without root, BTF or the needed program types, the test is skipped with the reason; with
 * {@code CI=true} or {@code -D}{@value #STRICT_PROPERTY}{@code =true} it fails instead.
 *
 * <h2>Configuration</h2>
 * Every setting is resolved once per test (once per class where this annotation is the class's),
 * and for each the first of these that is set wins:
 * <ol>
 * <li>this annotation's attribute, where the setting has one and it is not the attribute's "defer"
 *     value ({@code AUTO}, {@code ""}, {@code -1}); the test method's annotation, else its class's;</li>
 * <li>the JUnit configuration parameter named by the constants here (as JUnit resolves it: given to
 *     the launcher, then a JVM system property, then {@code junit-platform.properties});</li>
 * <li>the JVM system property of the same name;</li>
 * <li>for {@value #STRICT_PROPERTY} only: the environment's {@code CI=true};</li>
 * <li>the default.</li>
 * </ol>
 */
@Target({ ElementType.TYPE, ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(TracePacketsExtension.class)
public @interface TracePackets {

	/** Fail instead of skip when tracing is unavailable: {@value}. {@code CI=true} implies it. */
	String STRICT_PROPERTY = "tracepackets.strict";

	/** How long positive assertions wait for events, in milliseconds (default 3000): {@value}. */
	String AWAIT_TIMEOUT_PROPERTY = "tracepackets.await.timeout.ms";

	/** Ring buffer size in bytes, a power of two (default 16 MiB): {@value}. */
	String RING_BUFFER_PROPERTY = "tracepackets.ringbuffer.bytes";

	/**
	 * The most bytes the tracer's stored events take while traces are open (default 256 MiB, taken
	 * as they come, given back when no trace is open; about 90 bytes an event without packet bytes):
	 * {@value}. Events past it are lost, and the assertions say so, with the bytes the trace needed.
	 */
	String EVENT_BYTES_PROPERTY = "tracepackets.events.bytes";

	/** The backend when the annotation says AUTO: auto, kprobe-multi, fentry, kprobe, tracepoint: {@value}. */
	String BACKEND_PROPERTY = "tracepackets.backend";

	/** The functions regex when the annotation gives none: {@value}. */
	String FUNCTIONS_PROPERTY = "tracepackets.functions";

	/** Which drops carry their kernel stack when the annotation says AUTO: netfilter or all: {@value}. */
	String STACKS_PROPERTY = "tracepackets.stacks";

	/**
	 * The most events one test's artifact holds (default 100,000); a larger trace is cut, and the
	 * file's first line says so: {@value}.
	 */
	String ARTIFACT_MAX_EVENTS_PROPERTY = "tracepackets.artifacts.max.events";

	/** The most bytes of artifacts one test run writes (default 256 MiB); later tests write none: {@value}. */
	String ARTIFACT_MAX_BYTES_PROPERTY = "tracepackets.artifacts.max.bytes";

	/** Packet bytes per event when the annotation says -1 (default 0: none): {@value}. */
	String SNAP_LENGTH_PROPERTY = "tracepackets.snap.length";

	/**
	 * Whether netfilter drops are attributed to their rule (default {@code true}): each scoped
	 * namespace gets a temporary nftables table that sets {@code meta nftrace} (kept for the next
	 * tests on the namespace, deleted once none used it for a few seconds, and at the latest when the
	 * run ends), and iptables-legacy counters are read; {@code false} turns it off: {@value}.
	 */
	String NETFILTER_RULES_PROPERTY = "tracepackets.netfilter.rules";

	/**
	 * Names of fields of the test class holding the containers to trace, or, in a Spring test, of
	 * container beans of its {@code ApplicationContext} (a field of an {@code @ImportTestcontainers}
	 * type by its field name). Empty: every field annotated {@code @Container}, and every container
	 * bean of a Spring test.
	 *
	 * @return field or bean names, e.g. {@code {"web", "db"}}; a name that is no such field or
	 *     bean, a field that holds no Container, or a null field fails the test with an
	 *     {@code ExtensionConfigurationException}
	 */
	String[] containers() default {};

	/**
	 * Also trace the host's network namespace (where the test's own sockets live).
	 *
	 * @return true to add pid 1's namespace to the scope; default false
	 */
	boolean hostNetwork() default false;

	/**
	 * Trace every network namespace; noisy, for exploring.
	 *
	 * @return true to trace every namespace on the machine, whatever else the scope holds; default
	 *     false
	 */
	boolean allNamespaces() default false;

	/**
	 * How kernel functions are probed. AUTO (default) probes the kernel and takes the best of
	 * kprobe-multi, fentry, kprobe, else tracepoints only; -D{@value #BACKEND_PROPERTY} overrides AUTO.
	 *
	 * @return the backend; one named here that the kernel refuses makes the test skip (or fail in
	 *     strict mode) rather than fall back to another
	 */
	Backend backend() default Backend.AUTO;

	/**
	 * Which skb functions to probe: a regex found in the function name, e.g. {@code "ip_.*|nf_.*"}.
	 * Empty: -D{@value #FUNCTIONS_PROPERTY}, else every function that takes a {@code struct sk_buff *}.
	 *
	 * @return a {@link java.util.regex.Pattern} regex, or empty; an invalid one fails the test with an
	 *     {@code ExtensionConfigurationException}
	 */
	String functions() default "";

	/**
	 * Milliseconds positive assertions wait for events; negative: {@value #AWAIT_TIMEOUT_PROPERTY} or 3000.
	 *
	 * @return e.g. {@code 10000} on a slow machine; 0 checks once without waiting; negative (the
	 *     default) defers to the property
	 */
	long awaitMillis() default -1;

	/**
	 * When the trace is left as files beside the test's report (JSON lines, one event per line, and
	 * pcapng for Wireshark, with the packets' bytes when {@link #snapLength()} asks for them; see
	 * docs/evidence.md): {@link Artifacts#ON_FAILURE} (default), {@link Artifacts#ALWAYS} or
	 * {@link Artifacts#NEVER}. Files go where JUnit publishes files ({@code junit.platform.output.dir}),
	 * bounded by {@value #ARTIFACT_MAX_EVENTS_PROPERTY} and {@value #ARTIFACT_MAX_BYTES_PROPERTY}.
	 *
	 * @return when the trace is written
	 */
	Artifacts artifacts() default Artifacts.ON_FAILURE;

	/**
	 * Which drops carry their kernel stack ({@link PacketEvent#stack()}). Taking a stack costs the
	 * kernel several microseconds per drop, ten times the rest of the event, so by default only
	 * netfilter drops carry one: there the location alone ({@code nft_do_chain}) does not name the
	 * hook that dropped ({@code nf_hook_slow}), which {@code wereDropped().in(...)} finds in the
	 * stack. Every drop still has its reason and location. AUTO: -D{@value #STACKS_PROPERTY}, else
	 * {@link Stacks#NETFILTER_DROPS}.
	 *
	 * @return which drops carry a stack
	 */
	Stacks stacks() default Stacks.AUTO;

	/**
	 * A pcap-filter(7) expression, as tcpdump and pwru take: only packets it matches are traced,
	 * for the whole test or class. libpcap compiles it and the probes run it in the kernel before
	 * an event is written, so the rest never costs an event. The packet is seen from its Ethernet
	 * header where the skb has one, else from its IP header; the filter sees its first 256 bytes.
	 * Different filters are different tracer configurations (one tracer each). See docs/filters.md.
	 *
	 * @return e.g. {@code "tcp port 8080"} or {@code "arp and arp[7] = 1"}; empty (the default):
	 *     every packet; one libpcap does not compile fails the test at once with libpcap's message
	 */
	String filter() default "";

	/**
	 * How many bytes of each packet the probes copy into every event ({@link PacketEvent#packetBytes()}),
	 * from the Ethernet header where the skb has one at that point, else from the IP header; the
	 * test's pcapng artifact (see {@link #artifacts()}) then holds real packets Wireshark decodes.
	 * Copying costs the probes a read of that many bytes per event, so it is off unless asked:
	 * {@code 128} holds the Ethernet, IP and TCP headers of nearly every packet; at most 1024.
	 * -1 (the default): -D{@value #SNAP_LENGTH_PROPERTY}, else 0 (no bytes; the probes then cost
	 * exactly what they cost without this feature).
	 *
	 * @return bytes per event, 0 for none, or -1 to defer to the property
	 */
	int snapLength() default -1;

	/** Which drops carry their kernel stack: see {@link TracePackets#stacks()}. */
	enum Stacks {
		/** -D{@value TracePackets#STACKS_PROPERTY} ({@code netfilter} or {@code all}), else NETFILTER_DROPS. */
		AUTO,
		/**
		 * Netfilter drops (reason NETFILTER_DROP), and every drop on kernels before 5.17, which
		 * give no reason to tell them apart.
		 */
		NETFILTER_DROPS,
		/** Every drop: for {@code wereDropped().in(f)} where {@code f} is a caller of the drop location. */
		ALL_DROPS
	}
}

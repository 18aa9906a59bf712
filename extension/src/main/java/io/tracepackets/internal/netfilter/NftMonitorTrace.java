package io.tracepackets.internal.netfilter;

import io.tracepackets.internal.netns.NamespaceEntry;
import io.tracepackets.internal.netns.NetworkNamespace;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nf_tables trace of a namespace this JVM cannot enter: {@code nft -a monitor trace} runs
 * there through the namespace's {@link NamespaceEntry} (a helper container sharing it), after the
 * same tracing table {@link NftTraceListener} adds, and its lines are parsed into the
 * {@link NftTrace} records the kernel's messages give. The lines come a few milliseconds after the
 * packet: a drop whose trace is not there yet waits, once per quiet spell, until no line came for
 * {@value #QUIET_MILLIS} ms since it asked (at most {@value #MAX_WAIT_MILLIS} ms).
 */
final class NftMonitorTrace implements NftTraceSource {

	private static final Logger LOG = LoggerFactory.getLogger(NftMonitorTrace.class);
	private static final String READY = "tracepackets-trace-ready";
	private static final int MAX_IDS = 65_536;
	private static final long QUIET_MILLIS = 200;
	private static final long MAX_WAIT_MILLIS = 2_000;

	/** {@code trace id 1a2b3c4d inet filter input <rest>}. */
	static final Pattern LINE = Pattern.compile("trace id ([0-9a-f]+) (\\S+) (\\S+) (\\S+) (.*)");
	private static final Pattern HANDLE_VERDICT = Pattern.compile("handle (\\d+) \\(verdict (\\w+)");
	private static final Pattern FIELD = Pattern.compile(
			"\\b(ip6?) (saddr|daddr|protocol|nexthdr) (\\S+)|\\b(udp|tcp|sctp|udplite) (sport|dport) (\\d+)");

	private final NetworkNamespace netns;
	private final NamespaceEntry entry;
	private final String table;
	private final PendingDrops pendingDrops;
	private final Map<Integer, NftTrace.Tuple> headers = new LinkedHashMap<>(1024, 0.75f, true) {
		@Override
		protected boolean removeEldestEntry(Map.Entry<Integer, NftTrace.Tuple> eldest) {
			return size() > MAX_IDS;
		}
	};
	private Closeable monitor;
	private long lastLine = System.nanoTime();
	private boolean waitedSinceLastLine;
	private boolean closed;

	private NftMonitorTrace(NetworkNamespace netns, NamespaceEntry entry, String table) {
		this.netns = netns;
		this.entry = entry;
		this.table = table;
		this.pendingDrops = new PendingDrops();
	}

	/**
	 * Starts the monitor there, waits until its socket has joined the trace group (the
	 * namespace's {@code /proc/net/netlink} shows it), then adds the tracing table.
	 */
	static NftMonitorTrace open(NetworkNamespace netns, NamespaceEntry entry, String table) {
		NftMonitorTrace trace = new NftMonitorTrace(netns, entry, table);
		String ruleset = "table inet " + table + " {\n"
				+ "  chain prerouting { type filter hook prerouting priority " + NfTablesBatch.FIRST + "; meta nftrace set 1; }\n"
				+ "  chain output { type filter hook output priority " + NfTablesBatch.FIRST + "; meta nftrace set 1; }\n"
				+ "}\n";
		// NETLINK_NETFILTER is protocol 12; NFNLGRP_NFTRACE (9) is bit 8 of the groups column.
		String script = "printf '%s' '" + ruleset + "' > /tmp/table.nft\n"
				+ "nft -a monitor trace & monitor=$!\n"
				+ "joined() { while read -r sk protocol pid groups rest; do"
				+ " [ \"$protocol\" = 12 ] && [ $((0x$groups & 256)) -ne 0 ] && return 0; done < /proc/net/netlink; return 1; }\n"
				+ "tries=0; until joined; do tries=$((tries + 1)); [ $tries -gt 200 ] && { echo 'nft monitor did not join the trace group' >&2; exit 1; }; sleep 0.05; done\n"
				+ "nft -f /tmp/table.nft || exit 1\n"
				+ "echo " + READY + "\n"
				+ "wait $monitor\n";
		trace.monitor = entry.stream(READY, trace::accept, "sh", "-c", script);
		LOG.info("{}: its nftables trace is read through {}, by nft monitor trace", netns.label(), entry.how());
		return trace;
	}

	private synchronized void accept(String line) {
		lastLine = System.nanoTime();
		waitedSinceLastLine = false;
		NftTrace trace = parse(line, headers);
		if (trace != null) {
			pendingDrops.offer(trace);
		}
		notifyAll();
	}

	/**
	 * The trace a line of {@code nft -a monitor trace} is, or null for a line that is none of a
	 * rule's or a policy's verdict (a packet's headers are kept in {@code headers} by trace id).
	 */
	static NftTrace parse(String line, Map<Integer, NftTrace.Tuple> headers) {
		Matcher matcher = LINE.matcher(line.strip());
		if (!matcher.matches()) {
			return null;
		}
		int id = (int) Long.parseLong(matcher.group(1), 16);
		int family = family(matcher.group(2));
		String rest = matcher.group(5);
		if (rest.startsWith("packet: ")) {
			NftTrace.Tuple tuple = tuple(rest);
			if (tuple != null) {
				headers.put(id, tuple);
			}
			return null;
		}
		if (rest.startsWith("policy ")) {
			int policy = rest.startsWith("policy drop") ? 0 : 1;
			return new NftTrace(id, family, matcher.group(3), matcher.group(4), 0, NftTrace.POLICY, Integer.MIN_VALUE,
					policy, headers.get(id));
		}
		Matcher verdict = HANDLE_VERDICT.matcher(rest);
		if (!verdict.find()) {
			return null;
		}
		int code = switch (verdict.group(2)) {
			case "drop" -> 0;
			case "accept" -> 1;
			case "continue" -> -1;
			case "jump" -> -3;
			case "goto" -> -4;
			case "return" -> -5;
			default -> Integer.MIN_VALUE;
		};
		return new NftTrace(id, family, matcher.group(3), matcher.group(4), Long.parseLong(verdict.group(1)),
				NftTrace.RULE, code, -1, headers.get(id));
	}

	private static NftTrace.Tuple tuple(String packet) {
		InetAddress source = null;
		InetAddress destination = null;
		int protocol = -1;
		int sourcePort = 0;
		int destinationPort = 0;
		Matcher field = FIELD.matcher(packet);
		try {
			while (field.find()) {
				if (field.group(1) != null) {
					switch (field.group(2)) {
						case "saddr" -> source = InetAddress.getByName(field.group(3));
						case "daddr" -> destination = InetAddress.getByName(field.group(3));
						default -> protocol = protocol(field.group(3), protocol);
					}
				} else {
					protocol = protocol(field.group(4), protocol);
					if (field.group(5).equals("sport")) {
						sourcePort = Integer.parseInt(field.group(6));
					} else {
						destinationPort = Integer.parseInt(field.group(6));
					}
				}
			}
		} catch (UnknownHostException | NumberFormatException e) {
			return null;
		}
		return source == null || destination == null || protocol < 0 ? null
				: new NftTrace.Tuple(source, destination, protocol, sourcePort, destinationPort);
	}

	private static int protocol(String name, int otherwise) {
		return switch (name) {
			case "icmp" -> 1;
			case "tcp" -> 6;
			case "udp" -> 17;
			case "ipv6-icmp", "icmpv6" -> 58;
			case "sctp" -> 132;
			case "udplite" -> 136;
			default -> name.chars().allMatch(Character::isDigit) ? Integer.parseInt(name) : otherwise;
		};
	}

	private static int family(String name) {
		return switch (name) {
			case "inet" -> 1;
			case "ip" -> 2;
			case "arp" -> 3;
			case "netdev" -> 5;
			case "bridge" -> 7;
			case "ip6" -> 10;
			default -> 0;
		};
	}

	@Override
	public synchronized Optional<NftTrace> takeDrop(NftTrace.Tuple tuple) {
		Optional<NftTrace> found = find(tuple);
		if (found.isPresent() || waitedSinceLastLine || closed) {
			return found;
		}
		// The line may still be on its way from the helper: wait for a quiet stream, once.
		long start = System.nanoTime();
		long deadline = start + MAX_WAIT_MILLIS * 1_000_000;
		try {
			while (!closed && System.nanoTime() < deadline
					&& System.nanoTime() - Math.max(lastLine, start) < QUIET_MILLIS * 1_000_000) {
				wait(QUIET_MILLIS);
				found = find(tuple);
				if (found.isPresent()) {
					return found;
				}
			}
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		waitedSinceLastLine = true;
		return find(tuple);
	}

	private Optional<NftTrace> find(NftTrace.Tuple tuple) {
		return pendingDrops.take(tuple);
	}

	@Override
	public void poll() {
		// Lines are pushed as they come.
	}

	@Override
	public boolean overflowed() {
		return false;
	}

	@Override
	public NetworkNamespace namespace() {
		return netns;
	}

	@Override
	public void close() {
		synchronized (this) {
			if (closed) {
				return;
			}
			closed = true;
			notifyAll();
		}
		try {
			monitor.close();
		} catch (IOException | RuntimeException e) {
			LOG.debug("the trace monitor of {} did not stop cleanly: {}", netns.label(), e.getMessage());
		} finally {
			// The monitor's end leaves the table: delete it, or every packet there stays traced.
			try {
				entry.run(Map.of(), "nft", "delete", "table", "inet", table);
			} catch (RuntimeException e) {
				// The container is gone (and the table with its namespace), or the helper failed: say which.
				LOG.info("tracing table {} in {} not deleted (gone with the container?): {}", table, netns.label(),
						e.getMessage());
			}
		}
	}
}

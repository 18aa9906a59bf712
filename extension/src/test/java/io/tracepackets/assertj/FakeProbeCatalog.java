package io.tracepackets.assertj;

import io.tracepackets.PacketEvent;
import io.tracepackets.ProbeCatalog;
import io.tracepackets.internal.symbols.NearestNames;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Test fixture: a tracer that sees {@code observed} names, on a kernel that also has the functions
 * {@code known}, with drop reasons {@code dropReasons}.
 */
final class FakeProbeCatalog implements ProbeCatalog {

	static final String BACKEND = "tracepoint";
	static final String BACKEND_REASON = "kprobes are disabled in this test";

	private final Set<String> observed;
	private final Set<String> known;
	private final List<String> dropReasons;
	/** The backend a catalog that records returns has. */
	static final String FUNCTION_BACKEND = "fentry";
	private final String backend;
	private final String reason;
	/** The functions whose return is recorded: none on the tracepoint backend. */
	private final Set<String> recordedReturns;

	FakeProbeCatalog(Set<String> observed, Set<String> known, List<String> dropReasons) {
		this(observed, known, dropReasons, Set.of());
	}

	private FakeProbeCatalog(Set<String> observed, Set<String> known, List<String> dropReasons,
			Set<String> recordedReturns) {
		this.observed = Set.copyOf(observed);
		this.known = Set.copyOf(known);
		this.dropReasons = List.copyOf(dropReasons);
		this.recordedReturns = Set.copyOf(recordedReturns);
		this.backend = recordedReturns.isEmpty() ? BACKEND : FUNCTION_BACKEND;
		this.reason = recordedReturns.isEmpty() ? BACKEND_REASON : "chosen in this test";
	}

	/**
	 * The standard catalog with a function backend's probes on {@code functions} and the return of
	 * every function of {@link io.tracepackets.ReturnValue#RECORDED} recorded, except those of
	 * {@code notRecorded}.
	 */
	static FakeProbeCatalog recordingReturns(Set<String> functions, String... notRecorded) {
		FakeProbeCatalog standard = standard();
		Set<String> observed = new LinkedHashSet<>(standard.observed);
		observed.addAll(functions);
		Set<String> returns = new LinkedHashSet<>(io.tracepackets.ReturnValue.RECORDED);
		List.of(notRecorded).forEach(returns::remove);
		return new FakeProbeCatalog(observed, standard.known, standard.dropReasons, returns);
	}

	@Override
	public boolean recordsReturnOf(String function) {
		return recordedReturns.contains(function);
	}

	@Override
	public String whyReturnNotRecorded(String function) {
		return recordedReturns.isEmpty() ? ProbeCatalog.super.whyReturnNotRecorded(function)
				: "its return probes did not attach: EINVAL (in this test)";
	}

	/** The tracepoint backend's names; a few kernel functions; the usual drop reasons. */
	static FakeProbeCatalog standard() {
		return new FakeProbeCatalog(
				Set.of("kfree_skb", "consume_skb", "netif_receive_skb", "net_dev_queue", "net_dev_start_xmit",
						"netif_rx", "skb_copy_datagram_iovec"),
				Set.of("nf_hook_slow", "nft_do_chain", "ip_rcv", "ip_local_deliver", "udp_rcv", "tcp_v4_rcv",
						"kfree_skb_reason", "__netif_receive_skb_one_core"),
				List.of("NOT_SPECIFIED", "NO_SOCKET", "PKT_TOO_SMALL", "TCP_CSUM", "NETFILTER_DROP", "OTHERHOST"));
	}

	/** The standard catalog on a kernel that allows the socket_receive hook (6.2+). */
	static FakeProbeCatalog withSocketReceive() {
		FakeProbeCatalog standard = standard();
		Set<String> observed = new LinkedHashSet<>(standard.observed);
		observed.add(PacketEvent.SOCKET_RECEIVE);
		return new FakeProbeCatalog(observed, standard.known, standard.dropReasons);
	}

	@Override
	public String backend() {
		return backend;
	}

	@Override
	public String backendReason() {
		return reason;
	}

	@Override
	public boolean observes(String where) {
		return observed.contains(where);
	}

	@Override
	public boolean exists(String name) {
		return observed.contains(name) || known.contains(name) || name.equals(PacketEvent.SOCKET_RECEIVE);
	}

	@Override
	public List<String> suggestions(String name) {
		Set<String> all = new LinkedHashSet<>(observed);
		all.addAll(known);
		return NearestNames.suggest(name, all, 5);
	}

	@Override
	public String kindOf(String name) {
		return name.equals(PacketEvent.SOCKET_RECEIVE) ? "a hook"
				: observed.contains(name) && !known.contains(name) ? "a tracepoint" : "a kernel function";
	}

	@Override
	public List<String> dropReasonSuggestions(String name) {
		return NearestNames.suggest(name, dropReasons, 5);
	}

	@Override
	public Set<String> observed() {
		return observed;
	}

	@Override
	public List<String> dropReasons() {
		return dropReasons;
	}
}

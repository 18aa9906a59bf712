package io.tracepackets.assertj;

import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.FakePacketTrace.START;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static io.tracepackets.assertj.TracedPackets.trace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.tracepackets.Backend;
import io.tracepackets.DocMessages;
import io.tracepackets.DropCulprit;
import io.tracepackets.DropReason;
import io.tracepackets.PacketEvent;
import io.tracepackets.PacketEvents;
import io.tracepackets.PacketFilter;
import io.tracepackets.PacketPath;
import io.tracepackets.PacketTrace;
import io.tracepackets.ProbeCatalog;
import io.tracepackets.TracePackets;
import io.tracepackets.TracingUnavailableException;
import io.tracepackets.internal.backend.BackendSelection;
import io.tracepackets.internal.event.Tracepoint;
import io.tracepackets.internal.backend.BackendMessages;
import io.tracepackets.internal.containers.ContainerMessages;
import io.tracepackets.internal.containers.ContainerNamespaces;
import io.tracepackets.internal.ffi.Errno;
import io.tracepackets.internal.ffi.NativeException;
import io.tracepackets.internal.junit.ExtensionMessages;
import io.tracepackets.internal.netns.NetworkNamespace;
import io.tracepackets.internal.session.SessionMessages;
import io.tracepackets.internal.session.KernelProbeCatalog;
import io.tracepackets.internal.symbols.Kallsyms;
import io.tracepackets.traffic.Traffic;
import java.lang.reflect.Proxy;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.testcontainers.containers.Container;

/**
 * Every message the docs quote (docs/troubleshooting.md, the README, the quickstart, evidence.md, ci.md),
 * marked {@code <!-- message: id -->}, is what the code prints now: each is produced here by the
 * code that builds it (the assertion entry points and error factories, the exceptions, the
 * extension's skip and strict sentences), from fake traces where a kernel would give the data, and
 * compared with the doc's quote, whose {@code <name>} and {@code ...} parts stand for any text.
 */
class TroubleshootingMessagesTest {

	private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

	/** Why the tracepoint backend runs on a kernel that refuses the three function backends (the build host's). */
	private static final BackendSelection NO_FUNCTION_BACKEND = BackendSelection.tracepoints(refusals(), null,
			"no function backend is available on this kernel, so only tracepoints are traced");

	private static Map<Backend, String> refusals() {
		Map<Backend, String> refused = new LinkedHashMap<>();
		refused.put(Backend.KPROBE_MULTI, "attach kprobe_multi_skb_1 to 1 functions with kprobe-multi: EOPNOTSUPP"
				+ " (Operation not supported) (the kernel is built without CONFIG_FPROBE, which kprobe-multi needs; 5.18+)");
		refused.put(Backend.FENTRY, "load BPF object tp_probe: EPERM (Operation not permitted) (the kernel refuses BPF"
				+ " trampolines: lockdown, or a kernel that forbids fentry)");
		refused.put(Backend.KPROBE, "attach kprobe_skb_1 to kprobe __netif_receive_skb: ENOENT (No such file or"
				+ " directory) (no kprobe support: the kernel is built without CONFIG_KPROBES)");
		return refused;
	}

	/** The messages, by the id their quote has in the docs. */
	private static Map<String, Message> messages() {
		Map<String, Message> m = new LinkedHashMap<>();
		// Starting the tracer
		TracingUnavailableException noBtf = new TracingUnavailableException("BTF",
				"/sys/kernel/btf/vmlinux is missing: the kernel must be built with CONFIG_DEBUG_INFO_BTF=y");
		m.put("unavailable-skip", () -> ExtensionMessages.skip(noBtf));
		m.put("unavailable-strict", () -> ExtensionMessages.strict(noBtf));
		m.put("backend-unavailable", () -> new TracingUnavailableException(Backend.FENTRY.label() + " backend",
				refusals().get(Backend.FENTRY)).getMessage());
		m.put("not-linux", () -> SessionMessages.notLinux("Mac OS X"));
		m.put("no-btf", SessionMessages::noBtf);
		m.put("privileges", () -> SessionMessages.lacking(0));
		m.put("kallsyms-hidden", () -> thrown(() -> Kallsyms.parse(List.of("0000000000000000 T _stext",
				"0000000000000000 T ip_rcv"))));
		m.put("refusal-kprobe-multi", () -> BackendMessages.refusal(Backend.KPROBE_MULTI, new NativeException(
				"attach kprobe_multi_skb_1 to 1 functions with kprobe-multi", Errno.EOPNOTSUPP)));
		m.put("refusal-fentry", () -> BackendMessages.refusal(Backend.FENTRY, new NativeException(
				"load BPF object tp_probe", Errno.EPERM)));
		m.put("refusal-kprobe", () -> BackendMessages.refusal(Backend.KPROBE, new NativeException(
				"attach kprobe_skb_1 to kprobe __netif_receive_skb", Errno.ENOENT)));
		m.put("native-exception", () -> new NativeException("load BPF object tracepackets", Errno.EINVAL)
				.getMessage());
		m.put("too-few-descriptors", () -> SessionMessages.tooFewDescriptors(Backend.KPROBE, 1900, 3800, 40, 1024, 4096)
				.getMessage());
		m.put("pcap-filter-does-not-compile", () -> engineFailure(BadPcapFilter.class, Map.of()));
		m.put("functions-invalid-regex", () -> engineFailure(InvalidFunctionsRegex.class, Map.of()));
		m.put("unknown-backend", () -> ExtensionMessages.badSetting(Map.of(TracePackets.BACKEND_PROPERTY, "ebpf"))
				.getMessage());
		m.put("ringbuffer-not-power-of-two", () -> engineFailure(AnnotatedTest.class, Map.of(TracePackets.RING_BUFFER_PROPERTY,
				"5000")));
		m.put("setting-not-a-number", () -> ExtensionMessages.badSetting(Map.of(TracePackets.RING_BUFFER_PROPERTY,
				"16M")).getMessage());
		m.put("event-bytes-too-few", () -> engineFailure(AnnotatedTest.class, Map.of(TracePackets.EVENT_BYTES_PROPERTY, "100")));
		m.put("await-timeout-not-a-number", () -> ExtensionMessages.badSetting(Map.of(
				TracePackets.AWAIT_TIMEOUT_PROPERTY, "soon")).getMessage());
		// Assertion failures
		m.put("context-line", () -> lastLine(failure(() -> assertThat(onTheBuildHost(TracedPackets.delivered(),
				TracedPackets.droppedForNoSocket()))
				.packets(udp().dstPort(9000)).wereDropped())));
		m.put("no-such-packet", () -> failure(() -> assertThat(onTheBuildHost(TracedPackets.delivered()))
				.packets(udp().dstPort(9000)).wereDropped()));
		m.put("some-did-not", () -> failure(() -> assertThat(trace(TracedPackets.delivered()))
				.packets(udp()).wereDropped()));
		m.put("some-did", () -> failure(() -> assertThat(trace(TracedPackets.droppedForNoSocket()))
				.packets(udp()).wereNotDropped()));
		m.put("dropped-by-other", () -> failure(() -> assertThat(trace(droppedBy(TracedPackets.UDP_9000, rule(
				"iptables-nft", 1, 2, "-A INPUT -p udp -m udp --dport 9000:9001 -j DROP", "nftrace"))))
				.packets(udp().dstPort(9000)).wereDropped().byRule("-p udp --dport 9000 -j DROP")));
		m.put("has-count", () -> failure(() -> assertThat(trace(TracedPackets.delivered())).packets(udp()).hasCount(2)));
		m.put("empty-scope", () -> failure(() -> assertThat(new FakePacketTrace(TracedPackets.delivered())
				.withNothingInScope(FakePacketTrace.fieldNotAnnotated("server", "NetboxContainer", "UdpTest")))
				.packets(udp()).areNone()));
		m.put("lost-events", () -> failure(() -> assertThat(trace(TracedPackets.delivered()).withLostEvents(12))
				.hasNoLostEvents()));
		m.put("store-overflow", () -> failure(() -> assertThat(trace(TracedPackets.delivered())
				.withStoreOverflow(1_150_000, 4L << 20, 102_000_000)).packets(udp()).hasCount(1)));
		m.put("unknown-where", () -> failure(() -> assertThat(trace(TracedPackets.delivered())).packets(udp())
				.reached("ip_rvc")));
		m.put("unknown-function", () -> failure(() -> assertThat(trace(TracedPackets.droppedByNftables()))
				.packets(udp()).wereDropped().in("nf_hook_slwo")));
		m.put("unknown-drop-reason", () -> failure(() -> assertThat(trace(TracedPackets.droppedByNftables()))
				.packets(udp()).wereDropped().withReason(DropReason.named("NETFILTER_DROPPED"))));
		m.put("not-seen-skip", () -> ExtensionMessages.skip(notSeen()));
		m.put("not-seen-strict", () -> ExtensionMessages.strict(notSeen()));
		m.put("quickstart-not-seen", () -> ExtensionMessages.skip(notSeen()));
		m.put("pcap-without-bytes", () -> failure(() -> assertThat(trace(TracedPackets.delivered()))
				.packets(PacketFilter.pcap("udp dst port 9001")).hasCount(1)));
		// Which rule dropped it: the build host's failures, rebuilt from their events
		m.put("rule-nft", () -> failureWithClass(() -> assertThat(ruleDrops("iptables-nft", 2, "nftrace",
				"nft_do_chain+0x46f", 880, 53570, "charming_margulis (ea129e0096c5) (pid 32403)", 0xffff888105962000L, 0,
				3877.155, 3877.158, 3877.183, 0xffff888105962000L, 0, 3887.195, 3887.202, 3887.241))
				.packets(udp().dstPort(9000)).wereDropped().byRule("-p udp --dport 9000 -j DROP")));
		m.put("rule-legacy", () -> failureWithClass(() -> assertThat(ruleDrops("iptables-legacy", 0, "rule counters",
				"nf_hook_slow+0x7d", 882, 55414, "festive_montalcini (1e4f8ddea5a8) (pid 32586)", 0xffff88810f6b1c00L, 1,
				344.550, 344.554, 344.584, 0xffff88810f6b1c00L, 1, 350.385, 350.395, 350.433))
				.packets(udp().dstPort(9000)).wereDropped().byRule("-p udp --dport 9000 -j DROP")));
		m.put("rule-tc", () -> failureWithClass(() -> assertThat(tcDrops()).packets(udp().dstPort(9000)).wereDropped()
				.byProgram("cilium_ingress")));
		m.put("xdp-failure", () -> failure(() -> assertThat(xdpDrop()).packets(udp().dstPort(9100)).wereDelivered())
				.stripLeading());
		m.put("no-culprit-not-netfilter", () -> failure(() -> assertThat(trace(TracedPackets.droppedForNoSocket())
				.withWhyNoCulprit("it was not a netfilter, tc or XDP drop (NO_SOCKET at __udp4_lib_rcv): no rule or"
						+ " program made it; its sentence says what did"))
				.packets(udp()).wereDropped().byRule("-p udp --dport 53 -j DROP")));
		m.put("no-culprit-rules-off", () -> failure(() -> assertThat(trace(TracedPackets.droppedByNftables())
				.withWhyNoCulprit("netfilter rule tracing is off (-Dtracepackets.netfilter.rules=false)"))
				.packets(udp()).wereDropped().byRule("-p udp --dport 9000 -j DROP")));
		// Containers and network namespaces
		m.put("other-kernel-engine", () -> ContainerMessages.onAnotherKernel("brave_goldstine (9e33acb8da52)",
				"18f33e84-ca23-4da7-aca0-675053198e39", "4ddf5104-f85a-49bb-b416-fc8b3c6e90fe"));
		m.put("ci-other-kernel", () -> ContainerMessages.onAnotherKernel("web", "18f33e84-ca23-4da7-aca0-675053198e39",
				"4ddf5104-f85a-49bb-b416-fc8b3c6e90fe"));
		m.put("container-not-running", () -> {
			// A container never started: no id yet. A proxy, so no Docker client is made.
			Container<?> never = (Container<?>) Proxy.newProxyInstance(Container.class.getClassLoader(),
					new Class<?>[] {Container.class}, (proxy, method, arguments) -> switch (method.getName()) {
						case "getContainerId" -> null;
						case "getDockerImageName" -> "tracepackets/netbox:local";
						default -> throw new UnsupportedOperationException(method.getName());
					});
			return thrown(() -> ContainerNamespaces.of(never));
		});
		m.put("process-not-running", () -> thrown(() -> NetworkNamespace.ofPid(0, "container web (pid 0)")));
		m.put("netns-regular-file", () -> {
			Path file = Files.createTempFile("tp-not-a-netns", "");
			try {
				return thrown(() -> NetworkNamespace.ofPath(file));
			} finally {
				Files.delete(file);
			}
		});
		m.put("netns-no-such-inode", () -> thrown(() -> NetworkNamespace.ofInode(1)));
		// API arguments
		m.put("drop-reason-name", () -> thrown(() -> DropReason.named("netfilter drop")));
		m.put("port-range", () -> thrown(() -> udp().dstPort(70000)));
		m.put("address-literal", () -> thrown(() -> udp().dst("server.local")));
		m.put("path-empty", () -> thrown(() -> new PacketPath(1, List.of())));
		// Traffic
		m.put("traffic-no-destination", () -> thrown(() -> Traffic.udp().send(1)));
		m.put("traffic-port", () -> thrown(() -> Traffic.udp().to("127.0.0.1", 70000)));
		m.put("traffic-timeout", () -> thrown(() -> Traffic.udp().timeout(Duration.ofSeconds(-1))));
		m.put("traffic-cannot-bind", () -> {
			try (DatagramSocket taken = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
				return thrown(() -> Traffic.udp().fromPort(taken.getLocalPort()).to("127.0.0.1", 9).send());
			}
		});
		m.put("traffic-http-uri", () -> thrown(() -> Traffic.http().get(URI.create("https://example.org/"))));
		// README: a test that expected UDP 9000 to be delivered while an iptables-nft rule dropped it
		m.put("readme-failure", () -> failureWithClass(() -> assertThat(readmeTrace()).packets(udp().dstPort(9000))
				.wereDelivered()));
		// scripts/check-doc-snippets, run on docs made to fail it
		m.put("snippet-differs", () -> checkDocSnippets("<!-- snippet: outputDrop -->\n```java\nnot the sample\n```\n"));
		m.put("snippet-unknown", () -> checkDocSnippets("<!-- snippet: noSuchSnippet -->\n```java\nx\n```\n"));
		m.put("snippet-never-closed", () -> checkDocSnippets("<!-- snippet: outputDrop -->\n```java\nx\n"));
		// Evidence: the failure's last lines name the trace files
		m.put("evidence-failure", () -> {
			String folder = "/tmp/junit-16293002377392913219/_engine_junit-jupiter___class_io.tracepackets.internal"
					+ ".junit.TracePacketsExtensionTest_FailsOnADatagram___method_expects_a_drop_that_does_not_happen_io"
					+ ".tracepackets.PacketTrace__/trace-expects_a_drop_that_does_not_happen";
			AssertionError failure = (AssertionError) catchThrowable(() -> assertThat(new FakePacketTrace(
					new Reasoned(FakeProbeCatalog.standard(), BackendSelection.tracepoints(Map.of(), null, "requested")),
					TracedPackets.receivedByTheStackOnly()).withNetns(PacketEvents.NETNS, "host"))
					.packets(udp().dstPort(9999)).wereDropped());
			return asMavenShows(ExtensionMessages.withEvidence(failure, Path.of(folder + ".pcapng"),
					Path.of(folder + ".jsonl")));
		});
		return m;
	}

	/** Produces one message; may do I/O, as a temporary file that is no namespace. */
	@FunctionalInterface
	private interface Message {
		String get() throws Exception;
	}

	@TestFactory
	Stream<DynamicTest> every_quoted_message_is_what_the_code_prints() {
		Map<String, DocMessages.Quote> quotes = DocMessages.read(ROOT);
		return messages().entrySet().stream().map(entry -> DynamicTest.dynamicTest(entry.getKey(), () -> {
			DocMessages.Quote quote = quotes.get(entry.getKey());
			assertThat(quote).as("<!-- message: %s --> in %s", entry.getKey(), DocMessages.DOCS).isNotNull();
			String message = entry.getValue().get();
			// A block that starts where the message starts quotes it whole; one that starts further down, some lines of it.
			boolean excerpt = quote.block() && !quote.normalized(message).startsWith(quote.text().lines().findFirst()
					.orElse("").stripTrailing());
			if (quote.matches(message) || excerpt && quote.occursIn(message)) {
				return;
			}
			if (!quote.hasVariables()) {
				assertThat(quote.normalized(message)).as("%s, quoted at %s", entry.getKey(), quote.where())
						.isEqualTo(quote.normalized(quote.text()));
			}
			fail("%s, quoted at %s:%n%s%nis not what the code prints:%n%s", entry.getKey(), quote.where(), quote.text(),
					message);
		}));
	}

	@Test
	void every_quote_in_the_docs_is_checked() {
		Set<String> unchecked = new TreeSet<>(DocMessages.read(ROOT).keySet());
		unchecked.removeAll(messages().keySet());
		assertThat(unchecked).as("quotes marked in the docs that no message here produces").isEmpty();
	}

	// --- the failures, as the user sees them

	private static String failure(Runnable assertion) {
		Throwable thrown = catchThrowable(assertion::run);
		assertThat(thrown).as("the assertion fails").isInstanceOf(AssertionError.class);
		return thrown.getMessage();
	}

	/** The failure as Maven's console shows it: the exception's class, then its message from the next line on. */
	private static String failureWithClass(Runnable assertion) {
		Throwable thrown = catchThrowable(assertion::run);
		assertThat(thrown).as("the assertion fails").isInstanceOf(AssertionError.class);
		return asMavenShows(thrown);
	}

	private static String asMavenShows(Throwable thrown) {
		return thrown.getClass().getName() + ": " + System.lineSeparator() + thrown.getMessage();
	}

	private static String thrown(Runnable call) {
		Throwable thrown = catchThrowable(call::run);
		assertThat(thrown).as("the call throws").isNotNull();
		return thrown.getMessage();
	}

	/** What scripts/check-doc-snippets prints of a doc that holds {@code text}; it must fail. */
	private static String checkDocSnippets(String text) throws Exception {
		Path doc = Files.createTempFile("tp-doc", ".md");
		try {
			Files.writeString(doc, text);
			Process check = new ProcessBuilder("python3", ROOT.resolve("scripts/check-doc-snippets").toString(),
					doc.toString()).redirectErrorStream(true).start();
			String output = new String(check.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
			assertThat(check.waitFor()).as("exit status of check-doc-snippets: %s", output).isEqualTo(1);
			return output.lines().findFirst().orElse("");
		} finally {
			Files.delete(doc);
		}
	}

	private static String lastLine(String message) {
		List<String> lines = message.lines().toList();
		return lines.get(lines.size() - 1);
	}

	/** The first test failure of {@code testClass} run by the engine test kit: configuration errors need no kernel. */
	private static String engineFailure(Class<?> testClass, Map<String, String> parameters) {
		List<Throwable> failures = new ArrayList<>();
		EngineTestKit.engine("junit-jupiter").configurationParameters(parameters).selectors(selectClass(testClass))
				.execute().testEvents().failed().stream()
				.forEach(event -> failures.add(event.getPayload(org.junit.platform.engine.TestExecutionResult.class)
						.flatMap(org.junit.platform.engine.TestExecutionResult::getThrowable).orElseThrow()));
		assertThat(failures).as("failures of %s", testClass.getSimpleName()).hasSize(1);
		return failures.get(0).getMessage();
	}

	/** {@code reached("ip_rcv")} on the build host's tracepoint backend: what the extension turns into the skip. */
	private static TracingUnavailableException notSeen() {
		KernelProbeCatalog catalog = new KernelProbeCatalog(Backend.TRACEPOINT, false, NO_FUNCTION_BACKEND.describe(),
				NO_FUNCTION_BACKEND.summary(), EnumSet.allOf(Tracepoint.class), List.of(),
				Kallsyms.parse(List.of("ffffffff81000000 T _stext", "ffffffff81a00100 T ip_rcv",
						"ffffffff82000000 T _etext")), List.of("NO_SOCKET"), null, List.of(), Map.of(), null, false);
		Throwable thrown = catchThrowable(() -> assertThat(trace(catalog, TracedPackets.delivered())).packets(udp())
				.reached("ip_rcv"));
		assertThat(thrown).isInstanceOf(TracingUnavailableException.class);
		return (TracingUnavailableException) thrown;
	}

	/** {@code events} in the "server" netns, traced with the tracepoint backend where every function backend was refused. */
	@SafeVarargs
	private static FakePacketTrace onTheBuildHost(List<PacketEvent>... events) {
		return trace(new Reasoned(FakeProbeCatalog.standard(), NO_FUNCTION_BACKEND), events);
	}

	private static DropCulprit.NetfilterRule rule(String tool, int position, long handle, String rule, String evidence) {
		return new DropCulprit.NetfilterRule(tool, "ip", "filter", "INPUT", position, handle, rule, false, evidence,
				List.of());
	}

	private static List<PacketEvent> droppedBy(PacketEvents packet, DropCulprit culprit) {
		return List.of(packet.at(START + 1_500_000, "netif_receive_skb"),
				packet.droppedBy(START + 1_600_000, culprit, DropReason.NETFILTER_DROP, "nft_do_chain+0x46f"));
	}

	private static long at(double millis) {
		return START + Math.round(millis * 1_000_000);
	}

	/**
	 * Two datagrams 172.17.0.1 > 172.17.0.2:9000 received on a container's eth0 and dropped by a
	 * DROP rule of UDP 9000:9001, as the build host traced them: skb, cpu and the times of
	 * netif_rx, netif_receive_skb and the drop, for each.
	 */
	private static FakePacketTrace ruleDrops(String tool, long handle, String evidence, String location, int ifindex,
			int sourcePort, String container, long skb1, int cpu1, double rx1, double receive1, double drop1, long skb2,
			int cpu2, double rx2, double receive2, double drop2) {
		long netns = 4026532673L;
		DropCulprit culprit = rule(tool, 1, handle, "-A INPUT -p udp -m udp --dport 9000:9001 -j DROP", evidence);
		PacketEvents packet = PacketEvents.udp("172.17.0.1", sourcePort, "172.17.0.2", 9000).netns(netns).length(43)
				.iface(ifindex, "eth0");
		PacketEvents first = packet.skb(skb1).process(cpu1, 0, "tracepackets-tr");
		PacketEvents second = packet.skb(skb2).process(cpu2, 0, "tracepackets-tr");
		return new FakePacketTrace(new Reasoned(FakeProbeCatalog.standard(), NO_FUNCTION_BACKEND), List.of(
				first.at(at(rx1), "netif_rx"), first.at(at(receive1), "netif_receive_skb"),
				first.droppedBy(at(drop1), culprit, DropReason.NETFILTER_DROP, location),
				second.at(at(rx2), "netif_rx"), second.at(at(receive2), "netif_receive_skb"),
				second.droppedBy(at(drop2), culprit, DropReason.NETFILTER_DROP, location), other(netns, 1),
				other(netns, 2))).withNetns(netns, "container " + container);
	}

	/** A packet the container sends, which no filter of these failures matches. */
	private static PacketEvent other(long netns, int n) {
		return PacketEvents.udp("172.17.0.2", 40000 + n, "172.17.0.1", 53).netns(netns).length(43).iface(2, "eth0")
				.skb(0xffff888100000000L + n * 0x100).process(0, 0, "tracepackets-tr").at(at(4000 + n), "net_dev_queue");
	}

	/** TcProgramDropTest's failure on the build host: two datagrams dropped by its own tc classifier, 7 other packets. */
	private static FakePacketTrace tcDrops() {
		long netns = 4026532596L;
		DropCulprit culprit = new DropCulprit.BpfProgram("drop_udp_9000", 13161, "tp6507x0b", "tc ingress", List.of(),
				null);
		PacketEvents packet = PacketEvents.udp("10.231.0.1", 54234, "10.231.0.2", 9000).netns(netns).length(43)
				.iface(2, "tp6507x0b").skb(0xffff8881b6e06c00L).process(1, 0, "tracepackets-tr");
		String location = "__netif_receive_skb_core.constprop.0+0x4dc";
		List<PacketEvent> events = new ArrayList<>(List.of(
				packet.at(at(492.509), "netif_rx"), packet.at(at(492.513), "netif_receive_skb"),
				packet.droppedBy(at(492.517), culprit, DropReason.TC_INGRESS, location),
				packet.at(at(502.124), "netif_rx"), packet.at(at(502.132), "netif_receive_skb"),
				packet.droppedBy(at(502.139), culprit, DropReason.TC_INGRESS, location)));
		for (int n = 1; n <= 7; n++) {
			events.add(other(netns, n));
		}
		return new FakePacketTrace(new Reasoned(FakeProbeCatalog.standard(), NO_FUNCTION_BACKEND), events)
				.withNetns(netns, "/run/netns/tp6507x0b");
	}

	/** XdpProgramDropTest's failure on the build host: the veth's XDP program dropped the datagram, fentry refused. */
	private static FakePacketTrace xdpDrop() {
		long netns = 4026532453L;
		DropCulprit culprit = new DropCulprit.BpfProgram("xdp_drop_9100", 20799, "tp23207x2b", "xdp", List.of(), null);
		PacketEvents packet = PacketEvents.udp("10.231.2.1", 58008, "10.231.2.2", 9100).netns(netns).length(57)
				.iface(2, "tp23207x2b").skb(0xffff888100cbda00L).process(0, 0, "tracepackets-tr");
		List<PacketEvent> events = new ArrayList<>(List.of(packet.droppedBy(at(89.918), culprit,
				DropReason.NOT_SPECIFIED, "veth_xdp_rcv_skb+0x2cc")));
		for (int n = 1; n <= 13; n++) {
			events.add(other(netns, n));
		}
		return new FakePacketTrace(new Reasoned(FakeProbeCatalog.withSocketReceive(), NO_FUNCTION_BACKEND), events)
				.withNetns(netns, "/run/netns/tp23207x2b").withXdpPrograms(new io.tracepackets.XdpProgram("xdp_drop_9100",
						20799, "tp23207x2b", "native", Optional.of("load BPF object tp_xdp_20799: EPERM (Operation not"
								+ " permitted)")));
	}

	/** The README's failure: two datagrams to UDP 9000 dropped by iptables-nft, three other packets. */
	private static FakePacketTrace readmeTrace() {
		long netns = 4026532253L;
		DropCulprit culprit = rule("iptables-nft", 1, 2, "-A INPUT -p udp -m udp --dport 9000 -j DROP", "nftrace");
		PacketEvents packet = PacketEvents.udp("172.17.0.1", 52543, "172.17.0.2", 9000).netns(netns).length(43)
				.iface(962, "eth0");
		PacketEvents first = packet.skb(0xffff88816ee4a300L).process(1, 0, "tracepackets-tr");
		PacketEvents second = packet.skb(0xffff888180b31300L).process(0, 0, "tracepackets-tr");
		PacketEvents other = PacketEvents.udp("172.17.0.2", 9000, "172.17.0.1", 52543).netns(netns).length(43)
				.iface(962, "eth0").process(0, 0, "tracepackets-tr");
		List<PacketEvent> events = new ArrayList<>(List.of(
				first.at(at(683.940), "netif_rx"), first.at(at(683.944), "netif_receive_skb"),
				first.droppedBy(at(683.973), culprit, DropReason.NETFILTER_DROP, "nft_do_chain+0x46f"),
				second.at(at(692.625), "netif_rx"), second.at(at(692.634), "netif_receive_skb"),
				second.droppedBy(at(692.680), culprit, DropReason.NETFILTER_DROP, "nft_do_chain+0x46f")));
		for (int i = 0; i < 3; i++) {
			events.add(other.skb(0xffff888100000000L + i * 0x100).at(at(700 + i), "net_dev_queue"));
		}
		return new FakePacketTrace(new Reasoned(FakeProbeCatalog.withSocketReceive(), NO_FUNCTION_BACKEND), events)
				.withNetns(netns, "container wonderful_mestorf (3481ef82500c) (pid 23734)");
	}

	/** A fake catalog that gives the real reasons of a backend selection. */
	private record Reasoned(ProbeCatalog names, BackendSelection selection) implements ProbeCatalog {

		@Override
		public String backend() {
			return selection.chosen().label();
		}

		@Override
		public String backendReason() {
			return selection.describe();
		}

		@Override
		public String backendSummary() {
			return selection.summary();
		}

		@Override
		public boolean observes(String where) {
			return names.observes(where);
		}

		@Override
		public boolean exists(String name) {
			return names.exists(name);
		}

		@Override
		public List<String> suggestions(String name) {
			return names.suggestions(name);
		}

		@Override
		public String kindOf(String name) {
			return names.kindOf(name);
		}

		@Override
		public Set<String> observed() {
			return names.observed();
		}

		@Override
		public List<String> dropReasons() {
			return names.dropReasons();
		}

		@Override
		public List<String> dropReasonSuggestions(String name) {
			return names.dropReasonSuggestions(name);
		}
	}

	// --- tests with a configuration error, run by the engine test kit (not by Surefire: nested classes)

	@TracePackets(functions = "ip_(rcv")
	static class InvalidFunctionsRegex {
		@Test
		void never_runs(PacketTrace trace) {
		}
	}

	@TracePackets(filter = "udp dst prot 9000")
	static class BadPcapFilter {
		@Test
		void never_runs(PacketTrace trace) {
		}
	}

	@TracePackets
	static class AnnotatedTest {
		@Test
		void never_runs(PacketTrace trace) {
		}
	}
}

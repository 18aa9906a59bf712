package io.tracepackets.samples.vm;

import static io.tracepackets.KernelErrno.EPERM;
import static io.tracepackets.KernelErrno.EXDEV;
import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.KernelTest;
import io.tracepackets.PacketEvent;
import io.tracepackets.PacketTrace;
import io.tracepackets.ProbeKind;
import io.tracepackets.ReturnValue;
import io.tracepackets.assertj.error.PwruFormat;
import io.tracepackets.samples.support.VethNamespacesPerTest;
import io.tracepackets.testing.VethNamespaces;
import io.tracepackets.traffic.Traffic;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the kernel's decisions returned, with a function backend: a reverse-path filter's refusal
 * seen as ip_route_input_noref returning -EXDEV, an iptables DROP as nf_hook_slow returning -EPERM
 * (after it freed the packet). Subclasses pick the backend; the suite runs in the kernel VM.
 */
@KernelTest
@Tag(VethFunctionPathTest.TAG)
@ExtendWith(VethNamespacesPerTest.class)
abstract class ReturnValuesVmTest {

	/** The receive path around the two decisions; their return programs attach whatever the regex. */
	static final String FUNCTIONS = "^(ip_rcv|ip_rcv_finish|ip_route_input_noref|ip_local_deliver|nf_hook_slow|udp_rcv"
			+ "|__udp4_lib_rcv)$";

	VethNamespaces network;

	@Test
	void a_reverse_path_filter_refusal_is_ip_route_input_noref_returning_EXDEV(PacketTrace trace) {
		// GIVEN the left namespace sends from 10.99.0.1, an address the right one has no route back
		// to, and the right one filters by reverse path strictly
		network.execInLeft("ip", "addr", "add", "10.99.0.1/32", "dev", network.leftInterface());
		// the right one would not answer ARP from that address either (its route check fails the
		// same way): the left one knows its neighbour's link address already
		String rightMac = network.execInRight("cat", "/sys/class/net/" + network.rightInterface() + "/address").strip();
		network.execInLeft("ip", "neigh", "replace", network.rightAddress(), "lladdr", rightMac, "dev",
				network.leftInterface(), "nud", "permanent");
		network.execInRight("sysctl", "-qw", "net.ipv4.conf.all.rp_filter=1");
		network.execInRight("sysctl", "-qw", "net.ipv4.conf." + network.rightInterface() + ".rp_filter=1");
		trace.scope(network.leftPath()).scope(network.rightPath());

		// WHEN
		for (int i = 0; i < 2; i++) {
			network.execInLeft("sh", "-c", "echo spoofed | socat -u STDIN UDP4-DATAGRAM:" + network.rightAddress()
					+ ":7800,bind=10.99.0.1");
		}

		// THEN the route lookup refused them, and said why: -EXDEV, or since 6.13, which returns
		// drop reasons from it, IP_RPFILTER
		String refusal = routeLookupReturnsDropReasons() ? "IP_RPFILTER" : "-EXDEV";
		assertThat(trace).packets(udp().src("10.99.0.1").dstPort(7800))
				.hasCount(2)
				.returned("ip_route_input_noref", refusal)
				.returnedError("ip_route_input_noref")
				.wereDropped();
		if (!routeLookupReturnsDropReasons()) {
			assertThat(trace).packets(udp().dstPort(7800)).returned("ip_route_input_noref", -EXDEV);
		}
		List<PacketEvent> returns = trace.packets(udp().dstPort(7800)).getFirst().events().stream()
				.filter(event -> event.kind() == ProbeKind.FUNCTION_RETURN).toList();
		assertThat(returns).extracting(event -> event.returned().orElseThrow())
				.filteredOn(value -> value.function().equals("ip_route_input_noref"))
				.singleElement().satisfies(value -> {
					assertThat(value.text()).isEqualTo(refusal);
					assertThat(value.isError()).isTrue();
				});
		System.out.println(PwruFormat.render(trace, trace.packets(udp().dstPort(7800))));
	}

	/**
	 * Whether this kernel's ip_route_input_noref returns an {@code enum skb_drop_reason} (6.13+)
	 * rather than an error number.
	 */
	static boolean routeLookupReturnsDropReasons() {
		String[] release;
		try {
			release = Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip().split("[.-]");
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		int major = Integer.parseInt(release[0]);
		int minor = Integer.parseInt(release[1]);
		return major > 6 || major == 6 && minor >= 13;
	}

	@Test
	void an_iptables_drop_is_nf_hook_slow_returning_EPERM_after_the_free(PacketTrace trace) {
		// GIVEN a DROP rule in the receiving namespace
		network.execInRight("iptables-legacy", "-A", "INPUT", "-p", "udp", "--dport", "7801", "-j", "DROP");
		trace.scope(network.leftPath()).scope(network.rightPath());

		// WHEN
		Traffic.fromNetnsPath(network.leftPath()).udp().to(network.rightAddress(), 7801).send(2);

		// THEN nf_hook_slow dropped them and returned -EPERM, the return joining the dropped path
		assertThat(trace).packets(udp().dstPort(7801))
				.hasCount(2)
				.returned("nf_hook_slow", -EPERM)
				.returnedError("nf_hook_slow")
				.returned("ip_route_input_noref", 0)
				.wereDropped().in("nf_hook_slow");
		for (var path : trace.packets(udp().dstPort(7801))) {
			assertThat(path.events().getLast().returned()).map(ReturnValue::toString).contains("-EPERM (drop)");
		}
		System.out.println(PwruFormat.render(trace, trace.packets(udp().dstPort(7801))));
	}

	@Test
	void an_accepted_datagram_shows_nf_hook_slow_returning_1(PacketTrace trace) {
		// GIVEN an ACCEPT rule, so that the LOCAL_IN hook runs
		network.execInRight("iptables-legacy", "-A", "INPUT", "-p", "udp", "--dport", "7802", "-j", "ACCEPT");
		trace.scope(network.leftPath()).scope(network.rightPath());

		// WHEN
		Traffic.fromNetnsPath(network.leftPath()).udp().to(network.rightAddress(), 7802).send(1);

		// THEN
		assertThat(trace).packets(udp().dstPort(7802))
				.hasCount(1)
				.returned("nf_hook_slow", 1)
				.returned("ip_route_input_noref", 0)
				.reached("udp_rcv");
	}
}

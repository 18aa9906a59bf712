package io.tracepackets.internal.btf;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.KernelTest;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** Against the running kernel's /sys/kernel/btf (root, Linux 6.x with CONFIG_DEBUG_INFO_BTF). */
@KernelTest
class BtfLiveTest {

	@Test
	void should_parse_vmlinux_btf_once_per_jvm_and_find_its_skb_functions() {
		// WHEN (timings belong in the benchmark, scripts/bench: its cold start reads the BTF)
		Btf vmlinux = Btf.loadVmlinux();
		List<SkbFunction> functions = vmlinux.skbFunctions(null);

		// THEN
		assertThat(vmlinux.typeCount()).isGreaterThan(10_000);
		assertThat(functions).hasSizeGreaterThan(500);
		assertThat(Btf.loadVmlinux()).as("the running kernel's BTF is parsed once and shared").isSameAs(vmlinux);
	}

	@Test
	void should_find_skb_argument_positions_of_well_known_functions() {
		// GIVEN
		Btf vmlinux = Btf.loadVmlinux();

		// WHEN
		List<SkbFunction> functions = vmlinux.skbFunctions(
				Pattern.compile("^(ip_output|ip_rcv|nf_hook_slow|__dev_queue_xmit|consume_skb|sk_skb_reason_drop|kfree_skb_partial|__netif_receive_skb)$"));

		// THEN
		assertThat(functions).containsExactly(
				new SkbFunction("__dev_queue_xmit", 1, null),
				new SkbFunction("__netif_receive_skb", 1, null),
				new SkbFunction("consume_skb", 1, null),
				new SkbFunction("ip_output", 3, null),
				new SkbFunction("ip_rcv", 1, null),
				new SkbFunction("kfree_skb_partial", 1, null),
				new SkbFunction("nf_hook_slow", 1, null),
				new SkbFunction("sk_skb_reason_drop", 2, null));
	}

	@Test
	void should_discover_skb_functions_of_vmlinux_and_modules() {
		// GIVEN
		Pattern ip = Pattern.compile("^ip_");

		// WHEN
		List<SkbFunction> functions = Btf.discoverSkbFunctions(ip, true);

		// THEN
		assertThat(functions).extracting(SkbFunction::name).contains("ip_output", "ip_rcv").allMatch(n -> n.startsWith("ip_"));
	}

	@Test
	void should_read_drop_reasons_from_the_kernel() {
		// GIVEN
		DropReasons reasons = DropReasons.fromKernel();

		// WHEN
		var netfilter = reasons.value("NETFILTER_DROP");
		var noSocket = reasons.value("SKB_DROP_REASON_NO_SOCKET");

		// THEN
		assertThat(reasons.names()).contains("NOT_SPECIFIED", "NO_SOCKET", "NETFILTER_DROP", "TCP_CSUM");
		assertThat(netfilter).isPresent();
		assertThat(noSocket).isPresent();
		assertThat(reasons.name(netfilter.getAsInt())).isEqualTo("NETFILTER_DROP");
		assertThat(reasons.name(noSocket.getAsInt())).isEqualTo("NO_SOCKET");
		assertThat(Btf.loadVmlinux().enumValues("skb_drop_reason")).containsEntry(2L, "SKB_DROP_REASON_NOT_SPECIFIED");
	}
}

package io.tracepackets.internal.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.Backend;
import io.tracepackets.internal.symbols.Kallsyms;
import io.tracepackets.internal.event.Tracepoint;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Why a name is not in a trace, told as precisely as the tracer knows it. */
class KernelProbeCatalogTest {

	private static final Kallsyms KALLSYMS = Kallsyms.parse(List.of(
			"ffffffff81000000 T _stext",
			"ffffffff81a00000 T ip_output",
			"ffffffff81a00100 T ip_rcv",
			"ffffffff81a00200 T tcp_v4_rcv",
			"ffffffff81a00300 t cleanup_module",
			"ffffffff81a00400 t cleanup_module",
			"ffffffff81a00500 T schedule",
			"ffffffff81a00600 T __dev_queue_xmit",
			"ffffffff82000000 T _etext",
			// a module no kernel has, so no /sys/kernel/btf entry: as any module on 5.10
			"ffffffffc0a00000 t tp_fake_xmit\t[tp_no_such_module]",
			"ffffffffc0a00100 t tp_fake_exit\t[tp_no_such_module]"));

	private static KernelProbeCatalog fentry(String regex) {
		return new KernelProbeCatalog(Backend.FENTRY, true, "fentry: requested", "fentry: requested", EnumSet.of(Tracepoint.KFREE_SKB),
				List.of("ip_output"), KALLSYMS, List.of("NO_SOCKET"), regex == null ? null : Pattern.compile(regex),
				List.of("cleanup_module"), Map.of("__dev_queue_xmit", "load fentry clone: EINVAL"), null, true);
	}

	@Test
	void should_observe_attached_functions_and_tracepoints() {
		KernelProbeCatalog catalog = fentry("ip_|__dev");
		assertThat(catalog.observes("ip_output")).isTrue();
		assertThat(catalog.observes("kfree_skb")).isTrue();
		assertThat(catalog.observes("ip_rcv")).isFalse();
	}

	@Test
	void should_say_the_regex_excluded_a_function() {
		assertThat(fentry("^ip_").whyNotObserved("tcp_v4_rcv"))
				.isEqualTo("the functions regex \"^ip_\" excludes it");
	}

	@Test
	void should_say_why_an_attach_failed() {
		assertThat(fentry(null).whyNotObserved("__dev_queue_xmit"))
				.isEqualTo("attaching its probe failed: load fentry clone: EINVAL");
	}

	@Test
	void should_say_an_ambiguous_name_is_not_probed() {
		assertThat(fentry(null).whyNotObserved("cleanup_module"))
				.isEqualTo("kallsyms has several functions of that name, so it is not probed by name");
	}

	@Test
	void should_say_a_function_without_an_skb_is_not_probed() {
		assertThat(fentry(null).whyNotObserved("schedule")).startsWith("it takes no struct sk_buff *");
	}

	@Test
	void should_say_an_unattached_tracepoint_is_missing_on_this_kernel() {
		assertThat(fentry(null).whyNotObserved("netif_rx")).startsWith("the tracepoint could not be attached");
	}

	@Test
	void should_give_the_backends_short_reason_on_tracepoints_only() {
		KernelProbeCatalog catalog = new KernelProbeCatalog(Backend.TRACEPOINT, false,
				"tracepoint: kprobe refused: ENOENT",
				"tracepoint: kprobe refused (why: the tracer's log at start)", EnumSet.allOf(Tracepoint.class), List.of(),
				KALLSYMS, List.of(), null, List.of(), Map.of(), null, false);
		assertThat(catalog.whyNotObserved("ip_output"))
				.isEqualTo("it probes no kernel function: a function needs a function backend; tracepoint: kprobe refused (why: the tracer's log at start)");
		assertThat(catalog.backendReason()).isEqualTo("tracepoint: kprobe refused: ENOENT");
	}

	@Test
	void should_say_a_module_without_btf_hides_its_functions() {
		assertThat(fentry(null).whyNotObserved("tp_fake_xmit"))
				.isEqualTo("it is in the module tp_no_such_module, and the kernel has no BTF for it (no"
						+ " /sys/kernel/btf/tp_no_such_module; module BTF needs Linux 5.11+ with"
						+ " CONFIG_DEBUG_INFO_BTF_MODULES), so its arguments are unknown and it is not probed; trace a"
						+ " function of vmlinux on the same path instead");
	}
}

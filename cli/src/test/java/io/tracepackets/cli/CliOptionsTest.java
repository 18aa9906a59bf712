package io.tracepackets.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.tracepackets.Backend;
import org.junit.jupiter.api.Test;

class CliOptionsTest {

	@Test
	void should_pass_the_pcap_expression_and_every_option_to_the_engine() {
		CliOptions options = CliOptions.parse(new String[] { "--netns", "/run/netns/a", "--netns=42", "--backend",
				"tracepoint", "--functions", "ip_.*", "--output", "pcapng", "--limit", "10", "--stack",
				"tcp[tcpflags] & tcp-syn != 0" });

		assertThat(options.live().netns()).containsExactly("/run/netns/a", "42");
		assertThat(options.live().backend()).isEqualTo(Backend.TRACEPOINT);
		assertThat(options.live().functions()).isEqualTo("ip_.*");
		assertThat(options.live().pcapFilter()).isEqualTo("tcp[tcpflags] & tcp-syn != 0");
		assertThat(options.live().snapLength()).isEqualTo(128);
		assertThat(options.live().allDropStacks()).isTrue();
		assertThat(options.format()).isEqualTo(CliOptions.Format.PCAPNG);
		assertThat(options.limit()).isEqualTo(10);
	}

	@Test
	void should_take_no_packet_bytes_for_text_unless_asked() {
		assertThat(CliOptions.parse(new String[0]).live().snapLength()).isZero();
		assertThat(CliOptions.parse(new String[] { "--snap-length", "64" }).live().snapLength()).isEqualTo(64);
		assertThat(CliOptions.parse(new String[0]).live().pcapFilter()).isNull();
	}

	@Test
	void should_take_pwrus_flags_with_pwrus_meaning() {
		CliOptions options = CliOptions.parse(new String[] { "--filter-netns", "inode:4026531840", "--filter-func",
				"ip_rcv", "--filter-mark", "0x100/0xff00", "--filter-ifname", "eth0", "--filter-track-skb",
				"--output-tuple", "--output-stack", "--output-meta", "--output-json", "--output-limit-lines", "5",
				"--output-file", "out.json", "host 1.1.1.1" });

		assertThat(options.live().netns()).containsExactly("inode:4026531840");
		assertThat(options.live().allNamespaces()).isFalse();
		assertThat(options.live().functions()).isEqualTo("^(?:ip_rcv)$");
		assertThat(options.selection().mark()).isEqualTo(0x100L);
		assertThat(options.selection().markMask()).isEqualTo(0xff00L);
		assertThat(options.selection().ifname()).isEqualTo("eth0");
		assertThat(options.selection().ifnameNetns()).isEqualTo("inode:4026531840");
		assertThat(options.selection().trackSkb()).isTrue();
		// followed after NAT: the expression runs on captured bytes, not in the kernel, and they are not shown
		assertThat(options.selection().pcap()).isEqualTo("host 1.1.1.1");
		assertThat(options.live().pcapFilter()).isNull();
		assertThat(options.live().snapLength()).isEqualTo(CliOptions.FILTER_SNAP_LENGTH);
		assertThat(options.selection().stripBytes()).isTrue();
		assertThat(options.stack()).isTrue();
		assertThat(options.outputMeta()).isTrue();
		assertThat(options.format()).isEqualTo(CliOptions.Format.JSON);
		assertThat(options.limit()).isEqualTo(5);
		assertThat(options.outputFile()).hasToString("out.json");
	}

	@Test
	void should_trace_every_namespace_unless_one_is_named() {
		assertThat(CliOptions.parse(new String[0]).live().allNamespaces()).isTrue();
		assertThat(CliOptions.parse(new String[0]).everyNamespaceByDefault()).isTrue();
		assertThat(CliOptions.parse(new String[] { "--netns", "1" }).live().allNamespaces()).isFalse();
		assertThat(CliOptions.parse(new String[] { "--container", "web" }).live().allNamespaces()).isFalse();
		CliOptions own = CliOptions.parse(new String[] { "--all-netns=false" });
		assertThat(own.live().allNamespaces()).isFalse();
		assertThat(own.live().netns()).isEmpty();
		assertThat(CliOptions.parse(new String[] { "--all-netns" }).everyNamespaceByDefault()).isFalse();
	}

	@Test
	void should_read_switches_set_to_false_as_off() {
		assertThat(CliOptions.parse(new String[] { "--stack=false" }).stack()).isFalse();
		assertThat(CliOptions.parse(new String[] { "--output-stack=true" }).stack()).isTrue();
		assertThat(CliOptions.parse(new String[] { "--all-netns=no" }).live().allNamespaces()).isFalse();
		assertThat(CliOptions.parse(new String[] { "--output-json=false" }).format()).isEqualTo(CliOptions.Format.TEXT);
		assertThat(CliOptions.parse(new String[] { "--filter-track-skb=0" }).selection().trackSkb()).isFalse();
		assertThatIllegalArgumentException().isThrownBy(() -> CliOptions.parse(new String[] { "--stack=maybe" }))
				.withMessage("--stack=maybe: use --stack=true or --stack=false (or --stack alone)");
		assertThatIllegalArgumentException().isThrownBy(() -> CliOptions.parse(new String[] { "--output-tuple=false" }))
				.withMessage("--output-tuple=false: the TUPLE column is always printed here; drop the option");
	}

	@Test
	void should_name_the_nearest_option_and_say_why_a_pwru_flag_has_no_equivalent() {
		assertThatIllegalArgumentException().isThrownBy(() -> CliOptions.parse(new String[] { "--output-tupel" }))
				.withMessage("unknown option --output-tupel: did you mean --output-tuple? (--help lists them)");
		assertThatIllegalArgumentException().isThrownBy(() -> CliOptions.parse(new String[] { "--filter-netnss", "1" }))
				.withMessage("unknown option --filter-netnss: did you mean --filter-netns? (--help lists them)");
		assertThatIllegalArgumentException().isThrownBy(() -> CliOptions.parse(new String[] { "--xyzzy-plugh-quux" }))
				.withMessage("unknown option --xyzzy-plugh-quux (--help lists the options)");
		assertThatIllegalArgumentException().isThrownBy(() -> CliOptions.parse(new String[] { "--output-skb" }))
				.withMessageStartingWith("pwru's --output-skb has no equivalent here: ");
		assertThatIllegalArgumentException().isThrownBy(() -> CliOptions.parse(new String[] { "--filter-mark", "x" }))
				.withMessage("--filter-mark x: not a 32-bit mark; e.g. 0x1, or 0x100/0xff00 (value/mask)");
		assertThatIllegalArgumentException().isThrownBy(() -> CliOptions.parse(new String[] { "--output-json",
				"--output", "pcapng" })).withMessage("--output asks for pcapng output, another option for json: keep one");
	}

	/** docs/cli.md shows --help as it is, pwru's names beside the native ones. */
	@Test
	void should_be_documented_as_help_prints_it() throws Exception {
		assertThat(java.nio.file.Files.readString(java.nio.file.Path.of("../docs/cli.md"))).contains(CliOptions.usage());
	}

	@Test
	void should_say_what_is_wrong_and_what_to_write_instead() {
		assertThatIllegalArgumentException().isThrownBy(() -> CliOptions.parse(new String[] { "--backend", "ebpf" }))
				.withMessage("--backend: unknown backend \"ebpf\": use one of auto, kprobe-multi, fentry, kprobe, tracepoint");
		assertThatIllegalArgumentException().isThrownBy(() -> CliOptions.parse(new String[] { "--limit", "x" }))
				.withMessage("--limit x: not a number");
		assertThatIllegalArgumentException().isThrownBy(() -> CliOptions.parse(new String[] { "--snap-length", "5000" }))
				.withMessage("--snap-length 5000: must be 0 to 1024");
		assertThatIllegalArgumentException().isThrownBy(() -> CliOptions.parse(new String[] { "udp", "port", "53" }))
				.withMessage("one pcap expression, quoted as one argument: 'udp port 53'");
		assertThatIllegalArgumentException().isThrownBy(() -> CliOptions.parse(new String[] { "--netns" }))
				.withMessage("--netns needs a value");
		assertThatIllegalArgumentException().isThrownBy(() -> CliOptions.parse(new String[] { "--all-netns", "--netns",
				"1" })).withMessage("--all-netns traces every namespace: drop --netns 1, or --all-netns");
	}
}

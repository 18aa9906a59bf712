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
	void should_say_what_is_wrong_and_what_to_write_instead() {
		assertThatIllegalArgumentException().isThrownBy(() -> CliOptions.parse(new String[] { "--backend", "ebpf" }))
				.withMessage("--backend: unknown backend \"ebpf\": use one of auto, kprobe-multi, fentry, kprobe, tracepoint");
		assertThatIllegalArgumentException().isThrownBy(() -> CliOptions.parse(new String[] { "--limit", "x" }))
				.withMessage("--limit x: not a number");
		assertThatIllegalArgumentException().isThrownBy(() -> CliOptions.parse(new String[] { "--snap-length", "5000" }))
				.withMessage("--snap-length 5000: must be 0 to 1024");
		assertThatIllegalArgumentException().isThrownBy(() -> CliOptions.parse(new String[] { "udp", "port", "53" }))
				.withMessage("one pcap expression, quoted as one argument: 'udp port'");
		assertThatIllegalArgumentException().isThrownBy(() -> CliOptions.parse(new String[] { "--netns" }))
				.withMessage("--netns needs a value");
		assertThatIllegalArgumentException().isThrownBy(() -> CliOptions.parse(new String[] { "--all-netns", "--netns",
				"1" })).withMessage("--all-netns traces every namespace: drop --netns 1, or --all-netns");
	}
}

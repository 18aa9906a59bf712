package io.tracepackets.internal.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tracepackets.TracingUnavailableException;
import java.io.Closeable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Commands in a namespace this JVM cannot enter go through its entry, their input as a file there;
 * without an entry they are refused with the namespace's reason. The entry is a fake that records
 * what it was asked: the real one is tested in HelperContainerTest and scripts/ci-layouts.
 */
class NamespaceCommandThroughEntryTest {

	private final List<String[]> commands = new ArrayList<>();
	private final List<Map<String, byte[]>> files = new ArrayList<>();

	private final NamespaceEntry entry = new NamespaceEntry() {
		@Override
		public String how() {
			return "a fake entry";
		}

		@Override
		public String run(Map<String, byte[]> given, String... command) {
			commands.add(command);
			files.add(given);
			return command[0].equals("ip") ? "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue\n"
					+ "5: eth0@if6: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue\n" : "out";
		}

		@Override
		public Closeable stream(String ready, Consumer<String> lines, String... command) {
			throw new UnsupportedOperationException();
		}
	};

	private final NetworkNamespace unenterable = NetworkNamespace.unreachable(4026532999L, "container web",
			"this JVM cannot enter it (a test)");

	@Test
	void a_command_runs_through_the_entry() {
		assertThat(NamespaceCommand.run(unenterable.withEntry(entry), null, "nft", "list", "tables")).isEqualTo("out");

		assertThat(commands.getFirst()).containsExactly("nft", "list", "tables");
		assertThat(files.getFirst()).isEmpty();
	}

	@Test
	void its_input_is_a_file_there_that_the_command_reads() {
		NamespaceCommand.run(unenterable.withEntry(entry), "flush ruleset\n", "nft", "-f", "-");

		assertThat(commands.getFirst()).containsExactly("sh", "-c", "exec \"$0\" \"$@\" < /tracepackets/input", "nft", "-f",
				"-");
		assertThat(new String(files.getFirst().get("/tracepackets/input"), StandardCharsets.UTF_8)).isEqualTo("flush ruleset\n");
	}

	@Test
	void interface_names_are_listed_there_once() {
		InterfaceNames names = new InterfaceNames();
		NetworkNamespace netns = unenterable.withEntry(entry);

		assertThat(names.name(netns, 5)).hasValue("eth0");
		assertThat(names.nameOrIndex(netns, 1)).isEqualTo("lo");
		assertThat(names.nameOrIndex(netns, 9)).isEqualTo("if9");
		// A container per listing: an unknown index does not list them again.
		assertThat(commands).hasSize(1);
		assertThat(commands.getFirst()).containsExactly("ip", "-o", "link", "show");
	}

	@Test
	void without_an_entry_it_is_refused_with_the_reason() {
		assertThatThrownBy(() -> NamespaceCommand.run(unenterable, null, "nft", "list", "tables"))
				.isInstanceOf(TracingUnavailableException.class)
				.hasMessage("running nft list tables in container web unavailable: this JVM cannot enter it (a test)");
	}
}

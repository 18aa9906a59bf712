package io.tracepackets.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.tracepackets.PacketEvent;
import io.tracepackets.PacketEvents;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class EventSelectionTest {

	private static final PacketEvents DATAGRAM = PacketEvents.udp("127.0.0.1", 40000, "127.0.0.1", 7000);

	@Test
	void should_keep_the_events_of_the_named_device_of_this_processs_namespace() throws Exception {
		// GIVEN --filter-ifname lo, without --netns: this process's namespace
		long own = (Long) Files.getAttribute(Path.of("/proc/self/ns/net"), "unix:ino");
		EventSelection selection = EventSelection.of(CliOptions.parse(new String[] { "--filter-ifname", "lo" })
				.selection());

		// WHEN
		PacketEvent onLo = DATAGRAM.netns(own).iface(1, "lo").at(1, "net_dev_queue");
		PacketEvent loOfAnother = DATAGRAM.netns(own + 1).iface(1, "lo").at(2, "net_dev_queue");
		PacketEvent onAnotherDevice = DATAGRAM.netns(own).iface(2, "eth0").at(3, "net_dev_queue");

		// THEN
		assertThat(selection.select(onLo)).isSameAs(onLo);
		assertThat(selection.select(loOfAnother)).isNull();
		assertThat(selection.select(onAnotherDevice)).isNull();
	}

	@Test
	void should_refuse_a_device_this_namespace_does_not_have() {
		assertThatIllegalArgumentException()
				.isThrownBy(() -> EventSelection.of(CliOptions.parse(new String[] { "--filter-ifname", "nosuchdev0" })
						.selection()))
				.withMessage("--filter-ifname nosuchdev0: no such device in this namespace (ip link lists them); for"
						+ " another namespace's, add --netns");
	}
}

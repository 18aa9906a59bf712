package io.tracepackets.internal.window;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.DropReason;
import io.tracepackets.PacketEvent;
import io.tracepackets.PacketEvents;
import io.tracepackets.PacketPath;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Snapshots of the paths while events still arrive: a path nothing joins any more is kept as
 * numbers and made an object when read, so what is checked here is that reading it gives the
 * path it was, the same object every time, and that a snapshot keeps an open path as it was.
 */
class PathAssemblerSnapshotTest {

	private static final long SKB = 0xffff888004a3c000L;
	private static final PacketEvents FIRST = PacketEvents.udp("10.0.0.1", 40000, "10.0.0.2", 9).skb(SKB)
			.journey(0x1111L);
	private static final PacketEvents SECOND = PacketEvents.udp("10.0.0.1", 40001, "10.0.0.2", 9).skb(SKB)
			.journey(0x2222L);
	private static final PacketEvents THIRD = PacketEvents.udp("10.0.0.1", 40002, "10.0.0.2", 9).skb(SKB)
			.journey(0x3333L);

	private final List<PacketEvent> trace = new ArrayList<>();
	private final PathAssembler assembler = new PathAssembler(trace::get);

	private void add(PacketEvent event) {
		trace.add(event);
		assembler.add(event, trace.size() - 1);
	}

	@Test
	void should_give_a_finished_path_as_it_was_and_the_same_object_in_every_snapshot() {
		// GIVEN a dropped packet, then another dropped at its address: the first is finished
		add(FIRST.at(1, "net_dev_queue"));
		add(FIRST.at(2, "netif_receive_skb"));
		add(FIRST.dropped(3, DropReason.NO_SOCKET, "__udp4_lib_rcv+0x1d0"));
		add(SECOND.at(4, "net_dev_queue"));
		add(SECOND.dropped(5, DropReason.NO_SOCKET, "__udp4_lib_rcv+0x1d0"));
		List<PacketPath> before = assembler.paths();

		// WHEN a third packet comes, and the paths are read again
		add(THIRD.at(6, "net_dev_queue"));
		List<PacketPath> after = assembler.paths();

		// THEN the first is its three events, the same object in both snapshots
		assertThat(before).hasSize(2);
		assertThat(after).hasSize(3);
		assertThat(after.getFirst().events()).containsExactlyElementsOf(trace.subList(0, 3));
		assertThat(after.getFirst().skb()).isEqualTo(SKB);
		assertThat(after.getFirst().journey()).isEqualTo(0x1111L);
		assertThat(after.getFirst()).isSameAs(before.getFirst()).isSameAs(after.getFirst());
		assertThat(after.get(1)).isSameAs(before.get(1));
		assertThat(after.get(1).events()).containsExactlyElementsOf(trace.subList(3, 5));
	}

	@Test
	void should_keep_an_open_path_in_a_snapshot_as_it_was_when_taken() {
		// GIVEN a packet on its way
		add(FIRST.at(1, "net_dev_queue"));
		List<PacketPath> taken = assembler.paths();

		// WHEN it goes on and is dropped, and another packet at its address finishes it
		add(FIRST.at(2, "netif_receive_skb"));
		add(FIRST.dropped(3, DropReason.NO_SOCKET, "__udp4_lib_rcv+0x1d0"));
		add(SECOND.at(4, "net_dev_queue"));
		add(SECOND.dropped(5, DropReason.NO_SOCKET, "__udp4_lib_rcv+0x1d0"));

		// THEN the snapshot taken first still shows it with its one event; a new one with three
		assertThat(taken).singleElement().satisfies(path -> assertThat(path.events()).containsExactly(trace.get(0)));
		assertThat(assembler.paths().getFirst().events()).containsExactlyElementsOf(trace.subList(0, 3));
	}

	@Test
	void should_finish_a_path_that_another_packet_at_its_address_cut_short() {
		// GIVEN a packet never seen freed, then another at its address (a new journey id)
		add(FIRST.at(1, "net_dev_queue"));
		add(FIRST.at(2, "netif_receive_skb"));
		add(SECOND.at(3, "net_dev_queue"));
		add(SECOND.dropped(4, DropReason.NO_SOCKET, "__udp4_lib_rcv+0x1d0"));
		add(THIRD.at(5, "net_dev_queue"));
		add(THIRD.dropped(6, DropReason.NO_SOCKET, "__udp4_lib_rcv+0x1d0"));

		// WHEN
		List<PacketPath> paths = assembler.paths();

		// THEN three paths in the order of their first events, each its own events
		assertThat(paths).extracting(PacketPath::journey).containsExactly(0x1111L, 0x2222L, 0x3333L);
		assertThat(paths.get(0).events()).containsExactlyElementsOf(trace.subList(0, 2));
		assertThat(paths.get(1).events()).containsExactlyElementsOf(trace.subList(2, 4));
		assertThat(paths.get(2).events()).containsExactlyElementsOf(trace.subList(4, 6));
	}

	@Test
	void should_show_a_freed_path_that_a_return_joins_as_each_snapshot_saw_it() {
		// GIVEN a packet netfilter dropped inside nf_hook_slow, read before the function returned
		add(FIRST.function(1, "nf_hook_slow"));
		add(FIRST.dropped(2, DropReason.NETFILTER_DROP, "nf_hook_slow+0x7d"));
		List<PacketPath> before = assembler.paths();
		PacketPath dropped = before.getFirst();

		// WHEN the function returns (its event joins the freed path), and the paths are read again
		add(FIRST.returned(3, "nf_hook_slow", -1));
		List<PacketPath> after = assembler.paths();

		// THEN the snapshot taken first still shows the path without the return, the same object;
		// the new one shows it with the return
		assertThat(before.getFirst()).isSameAs(dropped);
		assertThat(dropped.events()).containsExactlyElementsOf(trace.subList(0, 2));
		assertThat(after).singleElement().satisfies(path -> assertThat(path.events()).containsExactlyElementsOf(trace));
		assertThat(after.getFirst()).isSameAs(assembler.paths().getFirst());
	}

	@Test
	void should_show_a_freed_path_not_yet_read_as_the_snapshot_taken_before_its_return_saw_it() {
		// GIVEN a snapshot taken after the drop, none of whose paths was read yet
		add(FIRST.function(1, "nf_hook_slow"));
		add(FIRST.dropped(2, DropReason.NETFILTER_DROP, "nf_hook_slow+0x7d"));
		List<PacketPath> before = assembler.paths();

		// WHEN the function returns, then the first snapshot is read
		add(FIRST.returned(3, "nf_hook_slow", -1));

		// THEN it shows the path as it was when it was taken
		assertThat(before).singleElement().satisfies(path -> assertThat(path.events())
				.containsExactlyElementsOf(trace.subList(0, 2)));
		assertThat(assembler.paths().getFirst().events()).containsExactlyElementsOf(trace);
	}
}

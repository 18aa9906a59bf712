package io.tracepackets.internal.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.DropReason;
import io.tracepackets.PacketBytes;
import io.tracepackets.PacketEvent;
import io.tracepackets.PacketEvents;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pcapng blocks, byte by byte (PcapngKernelTest has tshark read real captures). */
class PcapngTest {

	private static final PacketEvents UDP = PacketEvents.udp("10.0.0.1", 40000, "10.0.0.2", 9000).iface(12, "eth0")
			.process(1, 0, "swapper/1");

	/** A block: its type and its body (between the length fields). */
	private record Block(int type, ByteBuffer body) {
	}

	@Test
	void should_write_a_section_one_interface_per_device_and_layer_and_a_packet_per_event() throws IOException {
		// GIVEN two events on eth0 with Ethernet bytes, one drop on the same device without bytes
		PacketBytes frame = new PacketBytes(PacketBytes.Layer.ETHERNET, 60, new byte[] { 1, 2, 3, 4, 5 });
		PacketEvent received = PacketEvents.withBytes(UDP.at(1_000, "netif_receive_skb"), frame);
		PacketEvent queued = PacketEvents.withBytes(UDP.at(2_000, "net_dev_queue"), frame);
		PacketEvent dropped = UDP.dropped(3_000, DropReason.NO_SOCKET, "__udp4_lib_rcv+0x4bc");
		ByteArrayOutputStream out = new ByteArrayOutputStream();

		// WHEN
		try (Pcapng pcapng = new Pcapng(out, 128)) {
			pcapng.write(received, 0);
			pcapng.write(queued, 0);
			pcapng.write(dropped, 0);
		}
		List<Block> blocks = blocks(out.toByteArray());

		// THEN a section header, the Ethernet interface, 2 packets, the raw-IP interface for the event
		// without bytes, its packet
		assertThat(blocks).extracting(Block::type).containsExactly(0x0A0D0D0A, 1, 6, 6, 1, 6);
		ByteBuffer ethernet = blocks.get(1).body();
		assertThat(ethernet.getShort(0)).as("link type").isEqualTo((short) 1);
		assertThat(ethernet.getInt(4)).as("snap length").isEqualTo(128);
		assertThat(blocks.get(4).body().getShort(0)).as("link type").isEqualTo((short) 101);
		ByteBuffer first = blocks.get(2).body();
		assertThat(first.getInt(0)).as("interface").isZero();
		assertThat(first.getInt(12)).as("captured").isEqualTo(5);
		assertThat(first.getInt(16)).as("original").isEqualTo(60);
		ByteBuffer drop = blocks.get(5).body();
		assertThat(drop.getInt(0)).as("interface").isEqualTo(1);
		// the drop without bytes: its IPv4 and UDP headers, rebuilt from the tuple (20 + 8 bytes)
		assertThat(drop.getInt(12)).as("captured").isEqualTo(28);
		assertThat(drop.getInt(16)).as("original").isEqualTo(28);
		assertThat(drop.get(20)).as("IPv4, 5 words").isEqualTo((byte) 0x45);
		assertThat(drop.get(20 + 9)).as("protocol").isEqualTo((byte) 17);
		assertThat(comment(drop, 20 + 28)).isEqualTo("kfree_skb (tracepoint) task 0 [swapper/1] netns 4026532001 dev eth0"
				+ " skb 0xffff888004a3c000 packet 0 drop NO_SOCKET (lost) at __udp4_lib_rcv+0x4bc"
				+ " (headers rebuilt from the traced tuple: no packet bytes captured)");
		assertThat(comment(first, 20 + 8)).startsWith("netif_receive_skb (tracepoint) task 0 [swapper/1] netns 4026532001"
				+ " dev eth0 skb");
	}

	/** Splits the file into blocks, checking that each block's two length fields agree. */
	private static List<Block> blocks(byte[] file) {
		ByteBuffer in = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
		List<Block> blocks = new ArrayList<>();
		while (in.hasRemaining()) {
			int start = in.position();
			int type = in.getInt();
			int length = in.getInt();
			assertThat(length % 4).isZero();
			assertThat(in.getInt(start + length - 4)).as("trailing length of block %d", blocks.size()).isEqualTo(length);
			blocks.add(new Block(type, in.slice(start + 8, length - 12).order(ByteOrder.LITTLE_ENDIAN)));
			in.position(start + length);
		}
		return blocks;
	}

	/** The first option at {@code offset} of a packet block's body: opt_comment. */
	private static String comment(ByteBuffer body, int offset) {
		assertThat(body.getShort(offset)).as("opt_comment").isEqualTo((short) 1);
		byte[] text = new byte[body.getShort(offset + 2)];
		body.get(offset + 4, text);
		return new String(text, StandardCharsets.UTF_8);
	}
}

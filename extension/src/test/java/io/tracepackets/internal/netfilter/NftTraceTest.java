package io.tracepackets.internal.netfilter;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** NFT_MSG_TRACE messages built byte by byte as the kernel's nf_tables_trace.c lays them out. */
class NftTraceTest {

	private static final byte[] IPV4_UDP = {0x45, 0, 0, 31, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2};
	private static final byte[] UDP_40000_9000 = {(byte) 0x9c, 0x40, 0x23, 0x28, 0, 11, 0, 0};

	@Test
	void should_read_a_rule_drop_and_take_the_packet_from_an_earlier_message_of_its_trace() throws Exception {
		// GIVEN the first message of trace 0x1234 (a counter rule: continue) carries the headers, the
		// drop message after it does not
		byte[] first = message(2, attrs(string(1, "filter"), string(2, "INPUT"), be64(3, 5), be32(4, NftTrace.RULE),
				verdict(-1), be32(6, 0x1234), raw(8, IPV4_UDP), raw(9, UDP_40000_9000)));
		byte[] drop = message(2, attrs(string(1, "filter"), string(2, "INPUT"), be64(3, 6), be32(4, NftTrace.RULE),
				verdict(0), be32(6, 0x1234)));
		Map<Integer, NftTrace.Tuple> headers = new HashMap<>();

		// WHEN
		List<NftTrace> traces = NftTrace.parse(ByteBuffer.wrap(concat(first, drop)), headers);

		// THEN
		NftTrace.Tuple packet = new NftTrace.Tuple(InetAddress.getByName("10.0.0.1"), InetAddress.getByName("10.0.0.2"),
				17, 40000, 9000);
		// (only the drop: the rest of a packet's trace is read for its headers and let go)
		assertThat(traces).containsExactly(new NftTrace(0x1234, 2, "filter", "INPUT", 6, NftTrace.RULE, 0, -1, packet));
		assertThat(traces.get(0).isDrop()).isTrue();
		assertThat(traces.get(0).familyName()).isEqualTo("ip");
		assertThat(headers).containsEntry(0x1234, packet);
	}

	@Test
	void should_read_a_policy_drop_and_a_reject() {
		byte[] policy = message(1, attrs(string(1, "guard"), string(2, "input"), be32(4, NftTrace.POLICY),
				be32(16, 0), be32(6, 7)));
		// reject: NF_DROP with -EHOSTUNREACH in the upper bits (NF_DROP_ERR)
		byte[] reject = message(1, attrs(string(1, "guard"), string(2, "input"), be64(3, 9), be32(4, NftTrace.RULE),
				verdict(-113 << 16), be32(6, 8)));

		List<NftTrace> traces = NftTrace.parse(ByteBuffer.wrap(concat(policy, reject)), new HashMap<>());

		assertThat(traces).extracting(NftTrace::isDrop).containsExactly(true, true);
		assertThat(traces.get(0).familyName()).isEqualTo("inet");
		assertThat(traces.get(0).packet()).isNull();
	}

	@Test
	void should_skip_other_netlink_messages() {
		byte[] done = ByteBuffer.allocate(20).order(ByteOrder.nativeOrder()).putInt(20).putShort((short) 3).array();

		assertThat(NftTrace.parse(ByteBuffer.wrap(done), new HashMap<>())).isEmpty();
	}

	private static byte[] message(int family, byte[] attributes) {
		ByteBuffer b = ByteBuffer.allocate(20 + attributes.length).order(ByteOrder.nativeOrder());
		b.putInt(20 + attributes.length).putShort((short) NftTrace.MESSAGE_TYPE).putShort((short) 0).putInt(0).putInt(0);
		b.put((byte) family).put((byte) 0).putShort((short) 0).put(attributes);
		return b.array();
	}

	private static byte[] attrs(byte[]... attributes) {
		return concat(attributes);
	}

	private static byte[] attr(int type, byte[] value) {
		int length = 4 + value.length;
		ByteBuffer b = ByteBuffer.allocate((length + 3) & ~3).order(ByteOrder.nativeOrder());
		b.putShort((short) length).putShort((short) type).put(value);
		return b.array();
	}

	private static byte[] string(int type, String text) {
		return attr(type, (text + "\0").getBytes());
	}

	private static byte[] be32(int type, int value) {
		return attr(type, ByteBuffer.allocate(4).putInt(value).array());
	}

	private static byte[] be64(int type, long value) {
		return attr(type, ByteBuffer.allocate(8).putLong(value).array());
	}

	private static byte[] raw(int type, byte[] value) {
		return attr(type, value);
	}

	private static byte[] verdict(int code) {
		return attr(5 | 0x8000, be32(1, code));
	}

	private static byte[] concat(byte[]... parts) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (byte[] part : parts) {
			out.writeBytes(part);
		}
		return out.toByteArray();
	}
}

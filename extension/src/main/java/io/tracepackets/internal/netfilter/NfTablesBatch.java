package io.tracepackets.internal.netfilter;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * nf_tables requests in netlink's wire format, for the tracing table: one transaction
 * (NFNL_MSG_BATCH_BEGIN … END) that adds the table, its two base chains and their
 * {@code meta nftrace set 1} rules, and one that deletes the table; and the request that lists a
 * namespace's inet tables ({@code nft list tables inet}). What {@code nft} would send, built in Java
 * so that setting up, checking and tearing down costs a system call, not a process.
 */
final class NfTablesBatch {

	private static final int NFNL_SUBSYS_NFTABLES = 10;
	private static final int NFNL_MSG_BATCH_BEGIN = 0x10;
	private static final int NFNL_MSG_BATCH_END = 0x11;
	private static final int NFT_MSG_NEWTABLE = 0;
	private static final int NFT_MSG_GETTABLE = 1;
	private static final int NFT_MSG_DELTABLE = 2;
	private static final int NFT_MSG_NEWCHAIN = 3;
	private static final int NFT_MSG_NEWRULE = 6;
	private static final int NLM_F_REQUEST = 0x1;
	private static final int NLM_F_ACK = 0x4;
	/** NLM_F_ROOT | NLM_F_MATCH: every object, not one. */
	private static final int NLM_F_DUMP = 0x300;
	private static final int NFTA_TABLE_NAME = 1;
	/** An attribute type's flag bits (NLA_F_NESTED, NLA_F_NET_BYTEORDER), not its number. */
	private static final int NLA_TYPE_MASK = 0x3fff;
	private static final int NLM_F_CREATE = 0x400;
	private static final int NLM_F_APPEND = 0x800;
	private static final int NFPROTO_INET = 1;
	private static final int NLA_F_NESTED = 0x8000;
	/** NF_INET_PRE_ROUTING and NF_INET_LOCAL_OUT. */
	static final int HOOK_PREROUTING = 0;
	static final int HOOK_OUTPUT = 3;
	/** The lowest priority: first on the hook. */
	static final int FIRST = Integer.MIN_VALUE;
	private static final int NF_ACCEPT = 1;
	private static final int NFT_META_NFTRACE = 12;
	private static final int NFT_REG_1 = 1;

	private final ByteArrayOutputStream out = new ByteArrayOutputStream();
	private int sequence;

	private NfTablesBatch() {
		message(NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST, 0, NFNL_SUBSYS_NFTABLES, new byte[0]);
	}

	/** Adds {@code inet <table>} with chains {@code prerouting} and {@code output} that set nftrace. */
	static byte[] createTracingTable(String table) {
		NfTablesBatch batch = new NfTablesBatch();
		batch.nft(NFT_MSG_NEWTABLE, NLM_F_CREATE, attr(1, string(table)));
		for (String chain : new String[] {"prerouting", "output"}) {
			int hook = chain.equals("prerouting") ? HOOK_PREROUTING : HOOK_OUTPUT;
			batch.nft(NFT_MSG_NEWCHAIN, NLM_F_CREATE, concat(attr(1, string(table)), attr(3, string(chain)),
					attr(4 | NLA_F_NESTED, concat(attr(1, be32(hook)), attr(2, be32(FIRST)))),
					attr(5, be32(NF_ACCEPT)), attr(7, string("filter"))));
			byte[] immediate = expression("immediate", concat(attr(1, be32(NFT_REG_1)),
					attr(2 | NLA_F_NESTED, attr(1, new byte[] {1}))));
			byte[] meta = expression("meta", concat(attr(2, be32(NFT_META_NFTRACE)), attr(3, be32(NFT_REG_1))));
			batch.nft(NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND, concat(attr(1, string(table)), attr(2, string(chain)),
					attr(4 | NLA_F_NESTED, concat(attr(1 | NLA_F_NESTED, immediate), attr(1 | NLA_F_NESTED, meta)))));
		}
		return batch.end();
	}

	/** Deletes {@code inet <table>} with everything in it. */
	static byte[] deleteTable(String table) {
		NfTablesBatch batch = new NfTablesBatch();
		batch.nft(NFT_MSG_DELTABLE, 0, attr(1, string(table)));
		return batch.end();
	}

	/** The dump request for every inet table of the namespace (not a batch: reading needs no transaction). */
	static byte[] listTables() {
		ByteBuffer b = ByteBuffer.allocate(20).order(ByteOrder.nativeOrder());
		b.putInt(20).putShort((short) (NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_GETTABLE))
				.putShort((short) (NLM_F_REQUEST | NLM_F_DUMP)).putInt(1).putInt(0);
		b.put((byte) NFPROTO_INET).put((byte) 0).putShort((short) 0);
		return b.array();
	}

	/** The table names of the replies to {@link #listTables()} (each message whole, header included). */
	static List<String> tableNames(List<byte[]> replies) {
		List<String> names = new ArrayList<>();
		for (byte[] reply : replies) {
			ByteBuffer in = ByteBuffer.wrap(reply).order(ByteOrder.nativeOrder());
			int end = Math.min(reply.length, in.getInt(0));
			for (int at = 20; at + 4 <= end;) {
				int length = Short.toUnsignedInt(in.getShort(at));
				int type = in.getShort(at + 2) & NLA_TYPE_MASK;
				if (length < 4 || at + length > end) {
					break;
				}
				if (type == NFTA_TABLE_NAME) {
					int stringEnd = at + 4;
					while (stringEnd < at + length && reply[stringEnd] != 0) {
						stringEnd++;
					}
					names.add(new String(reply, at + 4, stringEnd - at - 4, StandardCharsets.UTF_8));
				}
				at += (length + 3) & ~3;
			}
		}
		return names;
	}

	/** How many acknowledgements the batch asks for: one per nf_tables message. */
	static int acknowledgements(byte[] batch) {
		ByteBuffer in = ByteBuffer.wrap(batch).order(ByteOrder.nativeOrder());
		int count = 0;
		for (int at = 0; at + 16 <= batch.length; at += in.getInt(at)) {
			if ((in.getShort(at + 6) & NLM_F_ACK) != 0) {
				count++;
			}
		}
		return count;
	}

	private void nft(int type, int flags, byte[] attributes) {
		message(NFNL_SUBSYS_NFTABLES << 8 | type, NLM_F_REQUEST | NLM_F_ACK | flags, NFPROTO_INET, 0, attributes);
	}

	private byte[] end() {
		message(NFNL_MSG_BATCH_END, NLM_F_REQUEST, 0, NFNL_SUBSYS_NFTABLES, new byte[0]);
		return out.toByteArray();
	}

	private void message(int type, int flags, int family, int resourceId, byte[] attributes) {
		ByteBuffer b = ByteBuffer.allocate(20 + attributes.length).order(ByteOrder.nativeOrder());
		b.putInt(20 + attributes.length).putShort((short) type).putShort((short) flags).putInt(++sequence).putInt(0);
		b.put((byte) family).put((byte) 0).order(ByteOrder.BIG_ENDIAN).putShort((short) resourceId);
		b.put(attributes);
		out.writeBytes(b.array());
	}

	private static byte[] expression(String name, byte[] data) {
		return concat(attr(1, string(name)), attr(2 | NLA_F_NESTED, data));
	}

	/** One attribute, padded to 4 bytes. */
	private static byte[] attr(int type, byte[] value) {
		int length = 4 + value.length;
		ByteBuffer b = ByteBuffer.allocate((length + 3) & ~3).order(ByteOrder.nativeOrder());
		b.putShort((short) length).putShort((short) type).put(value);
		return b.array();
	}

	private static byte[] string(String text) {
		return (text + "\0").getBytes(StandardCharsets.UTF_8);
	}

	private static byte[] be32(int value) {
		return ByteBuffer.allocate(4).order(ByteOrder.BIG_ENDIAN).putInt(value).array();
	}

	private static byte[] concat(byte[]... parts) {
		ByteArrayOutputStream joined = new ByteArrayOutputStream();
		for (byte[] part : parts) {
			joined.writeBytes(part);
		}
		return joined.toByteArray();
	}
}

package io.tracepackets.internal.xdp;

import io.tracepackets.internal.ffi.Libc;
import io.tracepackets.internal.ffi.Netlink;
import io.tracepackets.internal.libbpf.LibBpf;
import io.tracepackets.internal.netns.NetnsRunner;
import io.tracepackets.internal.netns.NetworkNamespace;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The XDP programs attached to the devices of one network namespace, as the kernel lists them in
 * its link dump (RTM_GETLINK, each link's IFLA_XDP: what {@code ip -d link show} prints), asked
 * over rtnetlink from inside the namespace: what the drop attribution gives an XDP drop to. A drop by an XDP
 * program in generic mode, or in veth's native mode, frees an skb, which the drop tracepoint sees
 * without saying which program returned XDP_DROP; on a NIC's driver hook no skb exists, and only
 * a probe on the program itself (fexit) sees the packet.
 */
public final class XdpPrograms {

	private static final short RTM_NEWLINK = 16;
	private static final short RTM_GETLINK = 18;
	private static final short NLM_F_REQUEST = 1;
	private static final short NLM_F_DUMP = 0x300;
	private static final int IFLA_IFNAME = 3;
	private static final int IFLA_XDP = 43;
	private static final int NLA_TYPE_MASK = 0x3fff;
	/** IFLA_XDP_DRV_PROG_ID, _SKB_PROG_ID, _HW_PROG_ID (linux/if_link.h): one per mode. */
	private static final int IFLA_XDP_DRV_PROG_ID = 5;
	private static final int IFLA_XDP_SKB_PROG_ID = 6;
	private static final int IFLA_XDP_HW_PROG_ID = 7;
	/** nlmsghdr (16) + ifinfomsg (16): where a link message's attributes start. */
	private static final int ATTRIBUTES = 32;

	/**
	 * One XDP program on one device.
	 *
	 * @param device the device's name in its namespace
	 * @param ifindex the device's index there
	 * @param name the program's name in the kernel
	 * @param id the program's id
	 * @param mode {@code "native"} (the driver's hook), {@code "generic"} (the stack's, on an skb)
	 *     or {@code "offload"} (the NIC's)
	 */
	public record Program(String device, int ifindex, String name, int id, String mode) {

		/** {@code xdp_drop_9100 (id 42) on veth1, native mode}. */
		public String describe() {
			return name + " (id " + id + ") on " + device + ", " + mode + " mode";
		}
	}

	private XdpPrograms() {
	}

	/**
	 * The XDP programs of every device in {@code netns}.
	 *
	 * @return the programs, in device order; empty when none is attached or the namespace is gone
	 */
	public static List<Program> attached(NetworkNamespace netns) {
		try {
			List<byte[]> links = NetnsRunner.call(netns, () -> {
				int fd = Netlink.openRequests(Netlink.NETLINK_ROUTE);
				try {
					return Netlink.dump(fd, dumpRequest(), "RTM_GETLINK dump");
				} finally {
					Libc.close(fd);
				}
			});
			return parse(links, id -> LibBpf.programName(id).orElse("?"));
		} catch (RuntimeException e) {
			return List.of();
		}
	}

	/** RTM_GETLINK with NLM_F_DUMP: nlmsghdr and an empty ifinfomsg (every family, every link). */
	static byte[] dumpRequest() {
		ByteBuffer request = ByteBuffer.allocate(ATTRIBUTES).order(ByteOrder.nativeOrder());
		request.putInt(ATTRIBUTES).putShort(RTM_GETLINK).putShort((short) (NLM_F_REQUEST | NLM_F_DUMP)).putInt(1).putInt(0);
		return request.array();
	}

	/**
	 * The programs in a link dump's RTM_NEWLINK messages.
	 *
	 * @param links the messages, each whole (header included)
	 * @param names a program's name by its id
	 */
	static List<Program> parse(List<byte[]> links, IntFunction<String> names) {
		List<Program> programs = new ArrayList<>();
		for (byte[] message : links) {
			ByteBuffer link = ByteBuffer.wrap(message).order(ByteOrder.nativeOrder());
			if (message.length < ATTRIBUTES || link.getShort(4) != RTM_NEWLINK) {
				continue;
			}
			int ifindex = link.getInt(20);
			String device = null;
			int[] idsByMode = new int[3];
			for (int at = ATTRIBUTES; at + 4 <= message.length;) {
				int length = link.getShort(at) & 0xffff;
				int type = link.getShort(at + 2) & NLA_TYPE_MASK;
				if (length < 4 || at + length > message.length) {
					break;
				}
				if (type == IFLA_IFNAME) {
					device = new String(message, at + 4, Math.max(0, length - 5), StandardCharsets.UTF_8);
				} else if (type == IFLA_XDP) {
					for (int in = at + 4; in + 8 <= at + length;) {
						int innerLength = link.getShort(in) & 0xffff;
						int innerType = link.getShort(in + 2) & NLA_TYPE_MASK;
						if (innerLength < 4) {
							break;
						}
						if (innerType >= IFLA_XDP_DRV_PROG_ID && innerType <= IFLA_XDP_HW_PROG_ID) {
							idsByMode[innerType - IFLA_XDP_DRV_PROG_ID] = link.getInt(in + 4);
						}
						in += (innerLength + 3) & ~3;
					}
				}
				at += (length + 3) & ~3;
			}
			String[] modes = {"native", "generic", "offload"};
			for (int mode = 0; mode < modes.length; mode++) {
				if (idsByMode[mode] != 0) {
					programs.add(new Program(device == null ? "if" + ifindex : device, ifindex,
							names.apply(idsByMode[mode]), idsByMode[mode], modes[mode]));
				}
			}
		}
		return List.copyOf(programs);
	}
}

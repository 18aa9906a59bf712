package io.tracepackets.internal.evidence;

import io.tracepackets.PacketBytes;
import io.tracepackets.PacketEvent;
import io.tracepackets.PacketPath;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A trace as pcapng (the pcapng specification, draft-ietf-opsawg-pcapng), which Wireshark and
 * tshark open: one section, one interface block per (netns, device, layer the bytes start at),
 * written before its first packet, and one enhanced packet block per event, carrying the packet
 * bytes the probes copied, or, when the trace was taken without a snap length, the IP and
 * transport headers rebuilt from the tuple the probes read ({@link RebuiltHeaders}: never an empty
 * frame), and a comment that names the probe, the task the CPU ran, the netns and whose it is (a
 * container's name, a netns path), the device, the skb, the packet path and, for drops, the
 * reason, what it meant and where. A stream: the CLI writes events as they come.
 */
public final class Pcapng implements Closeable {

	/** pcap's LINKTYPE_RAW: for events without bytes, whose interface block needs some link type. */
	private static final int LINKTYPE_RAW = 101;
	private static final int SECTION_HEADER = 0x0A0D0D0A;
	private static final int INTERFACE_DESCRIPTION = 1;
	private static final int ENHANCED_PACKET = 6;
	private static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
	private static final short OPT_END = 0;
	private static final short OPT_COMMENT = 1;
	private static final short SHB_USERAPPL = 4;
	private static final short IF_NAME = 2;
	private static final short IF_DESCRIPTION = 3;
	private static final short IF_TSRESOL = 9;

	private final OutputStream out;
	private final int snapLength;
	/** CLOCK_MONOTONIC (the events' clock) to the epoch, which pcapng timestamps count from. */
	private final long epochOffsetNanos;
	private final Map<InterfaceKey, Integer> interfaces = new HashMap<>();
	/** Netns inode to what a person calls it (a container's name, a netns path), for the comments. */
	private final Map<Long, String> namespaceLabels;
	private long written;

	private record InterfaceKey(long netns, int ifindex, int linkType) {
	}

	/** A pcapng stream on {@code out}; {@code snapLength} is what interface blocks declare (0: unknown). */
	public Pcapng(OutputStream out, int snapLength) throws IOException {
		this(out, snapLength, Map.of());
	}

	/** A pcapng stream whose comments name each namespace of {@code namespaceLabels} (inode to label). */
	public Pcapng(OutputStream out, int snapLength, Map<Long, String> namespaceLabels) throws IOException {
		this.out = new BufferedOutputStream(out, 1 << 16);
		this.snapLength = snapLength;
		this.namespaceLabels = Map.copyOf(namespaceLabels);
		Instant now = Instant.now();
		this.epochOffsetNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano() - System.nanoTime();
		sectionHeader();
	}

	/**
	 * Writes the first {@code maxEvents} events of a trace to {@code file}; returns how many were
	 * written (those that are packets: see {@link #write(PacketEvent, Integer, long)}). {@code paths} numbers each event's packet in the comments, as the JSON lines do;
	 * {@code namespaceLabels} (inode to label) says whose each namespace is.
	 */
	public static int write(Path file, List<PacketEvent> events, List<PacketPath> paths, int maxEvents,
			Map<Long, String> namespaceLabels) throws IOException {
		PathNumbers numbers = new PathNumbers(paths);
		int snap = events.stream().mapToInt(e -> e.packetBytes().map(PacketBytes::capturedLength).orElse(0)).max()
				.orElse(0);
		int count = Math.min(events.size(), maxEvents);
		try (Pcapng pcapng = new Pcapng(Files.newOutputStream(file), snap, namespaceLabels)) {
			for (int i = 0; i < count; i++) {
				PacketEvent event = events.get(i);
				pcapng.write(event, numbers.packet(event), numbers.journey(event));
			}
			return (int) pcapng.written();
		}
	}

	/** Appends one event with the kernel's journey id (a stream, with no paths yet); whether it was written. */
	public boolean write(PacketEvent event, Integer packet) throws IOException {
		return write(event, packet, event.journey());
	}

	/**
	 * Appends one event; {@code packet} is its packet path's index, or null; {@code journey} its
	 * journey (0: none). An event with no bytes and no IP header to rebuild them from (an skb that
	 * is not a packet: a netlink message a socket freed) is left out: an empty frame would be a
	 * malformed packet in Wireshark, and the JSON lines keep the event.
	 *
	 * @return whether it was written
	 */
	public boolean write(PacketEvent event, Integer packet, long journey) throws IOException {
		Optional<byte[]> bytes = event.packetBytes().map(PacketBytes::toByteArray).or(() -> RebuiltHeaders.of(event));
		if (bytes.isEmpty()) {
			return false;
		}
		byte[] data = bytes.get();
		int linkType = event.packetBytes().map(b -> b.layer().linkType()).orElse(LINKTYPE_RAW);
		int interfaceId = interfaceOf(event, linkType);
		int original = event.packetBytes().map(PacketBytes::originalLength).orElse(data.length);
		byte[] comment = comment(event, packet, journey, namespaceLabels.get(event.netns()))
				.getBytes(StandardCharsets.UTF_8);
		long timestamp = event.timestampNanos() + epochOffsetNanos;
		ByteBuffer block = block(ENHANCED_PACKET, 20 + padded(data.length) + option(comment.length) + 4);
		block.putInt(interfaceId).putInt((int) (timestamp >>> 32)).putInt((int) timestamp).putInt(data.length)
				.putInt(original);
		pad(block.put(data), data.length);
		option(block, OPT_COMMENT, comment);
		end(block);
		written++;
		return true;
	}

	/** Events written so far. */
	public long written() {
		return written;
	}

	/**
	 * The event in words, for Wireshark's packet comment: {@code kfree_skb (tracepoint) netns
	 * 4026532605 dev eth0 skb 0xffff8881... packet 3 drop NO_SOCKET (lost) at udp_queue_rcv_skb+0x5b}.
	 */
	public static String comment(PacketEvent e, Integer packet) {
		return comment(e, packet, e.journey(), null);
	}

	/**
	 * {@link #comment(PacketEvent, Integer)} with the journey of the event's path and what its
	 * namespace is called ({@code null}: nothing more than its inode).
	 */
	public static String comment(PacketEvent e, Integer packet, long journey, String namespaceLabel) {
		StringBuilder text = new StringBuilder(e.where()).append(" (").append(e.kind().name().toLowerCase(Locale.ROOT))
				.append(") ");
		// The task the CPU was running: the sender or reader in its own context, else whoever a
		// softirq interrupted (pid 0: the idle task), as pwru shows it.
		text.append("task ").append(e.pid()).append(" [").append(e.comm() == null ? "?" : e.comm()).append("] netns ")
				.append(e.netns());
		if (namespaceLabel != null && !namespaceLabel.equals(Long.toString(e.netns()))) {
			text.append(" (").append(namespaceLabel).append(')');
		}
		if (e.ifindex() != 0) {
			text.append(" dev ").append(e.interfaceName() != null ? e.interfaceName() : "if" + e.ifindex());
		}
		text.append(" skb 0x").append(Long.toHexString(e.skb()));
		if (packet != null) {
			text.append(" packet ").append(packet);
		}
		if (journey != 0) {
			text.append(" journey ").append(Long.toHexString(journey));
		}
		e.returned().ifPresent(value -> text.append(" returned ").append(value));
		e.conntrack().ifPresent(entry -> text.append(" ct ").append(entry));
		if (e.wasTranslated()) {
			text.append(" before NAT ").append(tuple(e.beforeTranslation().orElseThrow()));
		}
		e.encapsulation().ifPresent(outer -> text.append(" in ").append(outer.describe()));
		if (e.isDrop()) {
			text.append(" drop ").append(e.dropReason() == null ? "?" : e.dropReason().name());
			if (e.dropKind() != null) {
				text.append(" (").append(e.dropKind().label()).append(')');
			}
			if (e.location() != null) {
				text.append(" at ").append(e.location());
			}
		}
		if (e.packetBytes().isEmpty()) {
			text.append(RebuiltHeaders.of(e).isPresent() ? " (headers rebuilt from the traced tuple: no packet bytes captured)"
					: " (no packet bytes)");
		}
		return text.toString();
	}

	/** {@code 10.10.20.99:7600}: the destination and port a packet had before netfilter translated it. */
	private static String tuple(PacketEvent before) {
		String destination = before.destination() == null ? "?" : before.destination().getHostAddress();
		return before.destinationPort() > 0 ? destination + ":" + before.destinationPort() : destination;
	}

	private int interfaceOf(PacketEvent event, int linkType) throws IOException {
		InterfaceKey key = new InterfaceKey(event.netns(), event.ifindex(), linkType);
		Integer known = interfaces.get(key);
		if (known != null) {
			return known;
		}
		int id = interfaces.size();
		interfaces.put(key, id);
		String device = event.ifindex() == 0 ? "no device"
				: event.interfaceName() != null ? event.interfaceName() : "if" + event.ifindex();
		byte[] name = (device + "@" + event.netns() + (linkType == LINKTYPE_RAW ? " (ip)" : ""))
				.getBytes(StandardCharsets.UTF_8);
		byte[] description = ("netns " + event.netns() + ", " + (event.ifindex() == 0 ? "no device"
				: "device " + device + " (ifindex " + event.ifindex() + ")") + ", bytes from the "
				+ (linkType == LINKTYPE_RAW ? "IP header (rebuilt from the traced tuple where no bytes were captured)"
						: "Ethernet header")).getBytes(StandardCharsets.UTF_8);
		ByteBuffer block = block(INTERFACE_DESCRIPTION, 8 + option(name.length) + option(description.length)
				+ option(1) + 4);
		block.putShort((short) linkType).putShort((short) 0).putInt(snapLength);
		option(block, IF_NAME, name);
		option(block, IF_DESCRIPTION, description);
		option(block, IF_TSRESOL, new byte[] { 9 }); // nanoseconds
		end(block);
		return id;
	}

	private void sectionHeader() throws IOException {
		byte[] application = "TracePackets".getBytes(StandardCharsets.UTF_8);
		ByteBuffer block = block(SECTION_HEADER, 16 + option(application.length) + 4);
		block.putInt(BYTE_ORDER_MAGIC).putShort((short) 1).putShort((short) 0).putLong(-1L);
		option(block, SHB_USERAPPL, application);
		end(block);
	}

	/** A block of {@code body} bytes between its type-and-length header and its trailing length. */
	private ByteBuffer block(int type, int body) {
		int total = 12 + body;
		return ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN).putInt(type).putInt(total);
	}

	/** Ends the options (opt_endofopt), repeats the length, and writes the block. */
	private void end(ByteBuffer block) throws IOException {
		block.putShort(OPT_END).putShort((short) 0);
		block.putInt(block.capacity());
		if (block.hasRemaining()) {
			throw new IllegalStateException("pcapng block sized wrong: " + block.remaining() + " bytes left");
		}
		out.write(block.array());
	}

	private static int option(int length) {
		return 4 + padded(length);
	}

	private static void option(ByteBuffer block, short code, byte[] value) {
		block.putShort(code).putShort((short) value.length);
		pad(block.put(value), value.length);
	}

	private static int padded(int length) {
		return (length + 3) & ~3;
	}

	private static void pad(ByteBuffer block, int length) {
		for (int i = length; i < padded(length); i++) {
			block.put((byte) 0);
		}
	}

	@Override
	public void close() throws IOException {
		out.close();
	}

	/** Flushes what was written to the underlying stream (the CLI, after each batch of events). */
	public void flush() throws IOException {
		out.flush();
	}
}

package io.tracepackets;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The first bytes of a packet as a probe saw them ({@link PacketEvent#packetBytes()}), when the
 * trace asked for them ({@link TracePackets#snapLength()}). Immutable: every accessor hands out a
 * copy or a read-only view.
 */
public final class PacketBytes {

	/** Where the bytes start, with pcap's link-layer type numbers (tcpdump.org/linktypes.html). */
	public enum Layer {
		/** At the Ethernet header, the skb's MAC header: LINKTYPE_ETHERNET (1). */
		ETHERNET(1),
		/** At the IPv4 or IPv6 header, no link layer (a packet before its Ethernet header is pushed): LINKTYPE_RAW (101). */
		IP(101);

		private final int linkType;

		Layer(int linkType) {
			this.linkType = linkType;
		}

		/**
		 * The pcap link-layer type.
		 *
		 * @return 1 for {@link #ETHERNET}, 101 for {@link #IP}
		 */
		public int linkType() {
			return linkType;
		}

		/**
		 * The layer of a pcap link-layer type.
		 *
		 * @param linkType 1 or 101
		 * @return the layer
		 * @throws IllegalArgumentException for another number
		 */
		public static Layer ofLinkType(int linkType) {
			for (Layer layer : values()) {
				if (layer.linkType == linkType) {
					return layer;
				}
			}
			throw new IllegalArgumentException("no layer for pcap link type " + linkType + ": 1 (Ethernet) or 101 (raw IP)");
		}
	}

	private final Layer layer;
	private final int originalLength;
	private final byte[] bytes;

	/**
	 * Packet bytes.
	 *
	 * @param layer where {@code bytes} start
	 * @param originalLength the packet's length counted from there, at least {@code bytes.length}
	 * @param bytes the captured bytes, copied
	 */
	public PacketBytes(Layer layer, int originalLength, byte[] bytes) {
		this.layer = Objects.requireNonNull(layer, "layer");
		this.bytes = bytes.clone();
		if (originalLength < this.bytes.length) {
			throw new IllegalArgumentException("original length " + originalLength + " < captured length "
					+ this.bytes.length);
		}
		this.originalLength = originalLength;
	}

	/**
	 * Where the bytes start.
	 *
	 * @return {@link Layer#ETHERNET} or {@link Layer#IP}
	 */
	public Layer layer() {
		return layer;
	}

	/**
	 * The packet's whole length from {@link #layer()} on, captured or not.
	 *
	 * @return bytes; more than {@link #capturedLength()} when the snap length or the skb's linear
	 *     data cut the capture
	 */
	public int originalLength() {
		return originalLength;
	}

	/**
	 * How many bytes were captured.
	 *
	 * @return at most the snap length
	 */
	public int capturedLength() {
		return bytes.length;
	}

	/**
	 * The captured bytes.
	 *
	 * @return a copy, {@link #capturedLength()} long
	 */
	public byte[] toByteArray() {
		return bytes.clone();
	}

	/**
	 * The captured bytes without a copy.
	 *
	 * @return a read-only buffer over them, position 0
	 */
	public ByteBuffer asReadOnlyBuffer() {
		return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
	}

	/**
	 * One byte.
	 *
	 * @param index 0 to {@link #capturedLength()} - 1
	 * @return the byte, unsigned (0 to 255)
	 */
	public int byteAt(int index) {
		return bytes[index] & 0xff;
	}

	/**
	 * Equal when layer, lengths and bytes are.
	 *
	 * @param other another object
	 * @return whether it holds the same capture
	 */
	@Override
	public boolean equals(Object other) {
		return other instanceof PacketBytes that && layer == that.layer && originalLength == that.originalLength
				&& Arrays.equals(bytes, that.bytes);
	}

	/**
	 * Consistent with {@link #equals(Object)}.
	 *
	 * @return a hash of layer, length and bytes
	 */
	@Override
	public int hashCode() {
		return Objects.hash(layer, originalLength, Arrays.hashCode(bytes));
	}

	/**
	 * For messages.
	 *
	 * @return e.g. {@code "ETHERNET 42/42 bytes 02aa..."}, the first 16 bytes in hex
	 */
	@Override
	public String toString() {
		String hex = HexFormat.of().formatHex(bytes, 0, Math.min(16, bytes.length));
		return layer + " " + bytes.length + "/" + originalLength + " bytes " + hex + (bytes.length > 16 ? "..." : "");
	}
}

package io.tracepackets;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Objects;

/**
 * A change of a packet's tuple on its journey: netfilter's DNAT, SNAT or masquerade rewrote its
 * addresses or ports. Seen either as two events of one skb with different tuples (function
 * probes before and after the rewrite), or, where the probes only saw the packet after it, from
 * the tuple conntrack recorded ({@link PacketEvent#beforeTranslation()}).
 *
 * @param before the packet as it was before the change (an event, or the event {@code at} with
 *     conntrack's tuple)
 * @param at the first event that shows the new tuple
 */
public record Translation(PacketEvent before, PacketEvent at) {

	/** Both events are required. */
	public Translation {
		Objects.requireNonNull(before, "before");
		Objects.requireNonNull(at, "at");
	}

	/**
	 * Whether the destination changed (DNAT, or the reverse of an SNAT on a reply).
	 *
	 * @return true when the destination address or port differs
	 */
	public boolean changedDestination() {
		return !Objects.equals(before.destination(), at.destination())
				|| before.destinationPort() != at.destinationPort();
	}

	/**
	 * Whether the source changed (SNAT, masquerade, or the reverse of a DNAT on a reply).
	 *
	 * @return true when the source address or port differs
	 */
	public boolean changedSource() {
		return !Objects.equals(before.source(), at.source()) || before.sourcePort() != at.sourcePort();
	}

	/**
	 * Whether the packet went to {@code address} and {@code port} after this change: its new
	 * destination, or for a source change its new source.
	 *
	 * @param address the address after the change, e.g. {@code 10.231.0.2}
	 * @param port the port after the change; 0 for any
	 * @return true when the changed side now has that address (and port)
	 */
	public boolean isTo(InetAddress address, int port) {
		return changedDestination() && address.equals(at.destination()) && (port == 0 || port == at.destinationPort())
				|| changedSource() && address.equals(at.source()) && (port == 0 || port == at.sourcePort());
	}

	/**
	 * The change the way the rendering shows it.
	 *
	 * @return e.g. {@code "10.10.20.99:7600 → 10.231.0.2:7600 at nf_nat_ipv4_out"}; a source change
	 *     is prefixed with {@code "source "}, and when the probes saw only the result, the event is
	 *     said to be after the change ({@code "before net_dev_queue"})
	 */
	@Override
	public String toString() {
		StringBuilder text = new StringBuilder();
		if (changedDestination()) {
			text.append(endpoint(before.destination(), before.destinationPort())).append(" → ")
					.append(endpoint(at.destination(), at.destinationPort()));
		}
		if (changedSource()) {
			text.append(text.isEmpty() ? "" : ", ").append("source ")
					.append(endpoint(before.source(), before.sourcePort())).append(" → ")
					.append(endpoint(at.source(), at.sourcePort()));
		}
		boolean seenBefore = before.timestampNanos() != at.timestampNanos() || !before.where().equals(at.where());
		return text.append(seenBefore ? " at " : " before ").append(at.where()).toString();
	}

	private static String endpoint(InetAddress address, int port) {
		String host = address == null ? "?" : address.getHostAddress();
		if (address instanceof Inet6Address) {
			host = "[" + host + "]";
		}
		return port == 0 ? host : host + ":" + port;
	}
}

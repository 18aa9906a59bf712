package io.tracepackets.assertj;

import static io.tracepackets.assertj.error.JourneysShould.shouldBeTranslatedTo;
import static io.tracepackets.assertj.error.JourneysShould.shouldReach;

import io.tracepackets.Journey;
import io.tracepackets.PacketFilter;
import io.tracepackets.PacketPath;
import io.tracepackets.PacketTrace;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on one packet's journey. Each assertion looks at the journey as the trace has it
 * then, waiting up to the await timeout for events still on their way.
 */
public class JourneyAssert extends AbstractAssert<JourneyAssert, Journey> {

	private final PacketTrace trace;

	/**
	 * Assertions on {@code journey}; usually made by {@link JourneysAssert#theOnlyJourney()}.
	 *
	 * @param trace the trace the journey belongs to, which gives its later events and what its failures show
	 * @param journey the journey
	 */
	public JourneyAssert(PacketTrace trace, Journey journey) {
		super(journey, JourneyAssert.class);
		this.trace = trace;
	}

	/**
	 * Netfilter rewrote the packet's destination to {@code address}:{@code port} (DNAT), or, for a
	 * source translation, its source.
	 *
	 * @param address the address after the translation, a literal: {@code "10.231.0.2"}
	 * @param port the port after it; 0 for any
	 * @return this assertion, for chaining
	 */
	public JourneyAssert wasTranslatedTo(String address, int port) {
		InetAddress expected = literal(address);
		Journey journey = await(j -> j.translations().stream().anyMatch(t -> t.isTo(expected, port)));
		if (journey.translations().stream().noneMatch(t -> t.isTo(expected, port))) {
			throwAssertionError(shouldBeTranslatedTo(trace, journey, address, port));
		}
		return myself;
	}

	/**
	 * A probe named {@code where} saw the packet, on any of its skbs.
	 *
	 * @param where an event name: {@code "veth_xmit"}, {@code "netif_receive_skb"}
	 * @return this assertion, for chaining
	 */
	public JourneyAssert reached(String where) {
		new PacketsAssert(trace, PacketFilter.anyPacket()).checkObservable(where);
		Journey journey = await(j -> j.reached(where));
		if (!journey.reached(where)) {
			throwAssertionError(shouldReach(trace, journey, where));
		}
		return myself;
	}

	/** The journey as the trace has it once {@code condition} holds or the timeout passed. */
	private Journey await(Predicate<Journey> condition) {
		isNotNull();
		trace.awaitPaths(paths -> current(paths).filter(condition).isPresent(), trace.awaitTimeout());
		return current(trace.paths()).orElse(actual);
	}

	private Optional<Journey> current(List<PacketPath> paths) {
		return Journey.group(paths).stream().filter(j -> j.id() == actual.id() && j.paths().getFirst().skb()
				== actual.paths().getFirst().skb()).findFirst();
	}

	private static InetAddress literal(String address) {
		if (!address.matches("[0-9.]+|[0-9a-fA-F:.]+")) {
			throw new IllegalArgumentException("\"" + address + "\" is no IP address literal: use e.g. \"10.231.0.2\"");
		}
		try {
			return InetAddress.getByName(address);
		} catch (UnknownHostException e) {
			throw new IllegalArgumentException("\"" + address + "\" is no IP address literal: use e.g. \"10.231.0.2\"", e);
		}
	}
}

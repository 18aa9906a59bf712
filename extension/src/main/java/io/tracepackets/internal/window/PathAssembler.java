package io.tracepackets.internal.window;

import io.tracepackets.PacketEvent;
import io.tracepackets.PacketPath;
import io.tracepackets.ProbeKind;
import io.tracepackets.RecordedEvents;
import io.tracepackets.internal.drops.DropAttribution;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.RandomAccess;
import java.util.function.IntFunction;

/**
 * Groups events into packet paths as they arrive: each event is looked at once, and a snapshot
 * of the paths ({@link #paths()}) rebuilds only the paths that changed since the last one.
 *
 * <p>A path is the events of one skb address, from the first to its free. An skb can also end
 * unseen — freed outside the traced namespaces, or read by a UDP socket, which frees it without
 * a tracepoint — and its address be reused at once, so a path also ends when the same address
 * shows another packet's tuple or ethertype, or enters a device again where this packet already
 * entered it (a packet passes each device's queue and receive points once).
 *
 * <p>Journeys: the kernel gives each event the skb's journey id. A different id on the same
 * address is another packet. A changed tuple continues the path when conntrack explains it (the
 * event carries the tuple from before the NAT, and it is the tuple the path had): DNAT does not
 * split a packet in two. The kernel derives the id from the skb's address and buffer, so an
 * address and buffer reused at once give a new packet the old id (bpf/include/skb_events.bpf.h):
 * after the old one's free, or where the reader splits a path the kernel gave one id, the new path
 * gets a journey id of its own, made up from the kernel's id and the first event's time and mixed
 * like a hash, so the two packets never share a journey and every journey has an id as real-looking
 * as the kernel's, in the API and in the evidence files alike.
 *
 * <p>Memory: a path keeps its events decoded only while its packet lives (the grouping of what
 * comes next looks at them); once freed, only numbers ({@link FinishedPaths}, and {@link EndedPaths}
 * for what may still join it), made a {@link PacketPath} when a snapshot's reader first asks for
 * it. Adding is not thread-safe; snapshots may be read by any thread.
 */
public final class PathAssembler {

	/** Where a packet enters a device's transmit or receive path: once per device per packet. */
	private static final Set<String> ENTRIES = Set.of("net_dev_queue", "netif_rx", "netif_receive_skb");

	/** Tracepoints that only a packet on its way through a device or the receive stack hits. */
	private static final Set<String> TRAVEL = Set.of("net_dev_queue", "net_dev_start_xmit", "netif_rx",
			"netif_receive_skb", "skb_copy_datagram_iovec", PacketEvent.SOCKET_RECEIVE);

	private static final int ETH_P_IP = 0x0800;
	private static final int ETH_P_IPV6 = 0x86DD;

	/** Tracepoints of a packet received from a device. */
	private static final Set<String> RECEIVED = Set.of("netif_rx", "netif_receive_skb");

	/** Tracepoints of a packet at a device: queued, handed to the driver, received. */
	private static final Set<String> ON_A_DEVICE = Set.of("net_dev_queue", "net_dev_start_xmit", "netif_rx",
			"netif_receive_skb");

	/** Tracepoints and hooks that see a packet handed to a socket. */
	private static final Set<String> DELIVERED = Set.of("skb_copy_datagram_iovec", PacketEvent.SOCKET_RECEIVE);

	/**
	 * Functions that queue an skb on a socket (UDP, raw/ping and others, TCP, packet sockets): seen
	 * by the function backends, they show that a copy was delivered where no tracepoint does — a
	 * multicast datagram's clone for a second socket before 6.2, which has no socket_receive hook
	 * and reads UDP without skb_copy_datagram_iovec.
	 */
	private static final Set<String> QUEUED_TO_SOCKET = Set.of("__udp_enqueue_schedule_skb", "__sock_queue_rcv_skb",
			"sock_queue_rcv_skb_reason", "tcp_queue_rcv", "packet_rcv", "tpacket_rcv", "packet_rcv_spkt");

	/** A socket's filter, which every socket runs on an skb before it takes it. */
	private static final String SOCKET_FILTER = "sk_filter_trim_cap";

	/**
	 * The functions whose copy programs give a new skb its parent's journey id (ProbeObject.COPY_FUNCTIONS):
	 * a legitimate copy's path starts with an event there.
	 */
	public static final Set<String> COPIED_BY = Set.of("skb_clone", "skb_copy", "__pskb_copy_fclone",
			"skb_copy_expand");

	/**
	 * Functions that take an skb apart inside kfree_skb and consume_skb, after their tracepoint
	 * fired: a function backend sees them on the freed packet, at its address, on the CPU that freed
	 * it, microseconds after its free.
	 */
	private static final Set<String> FREEING = Set.of("__kfree_skb", "skb_release_all", "skb_release_head_state",
			"skb_release_data", "skb_free_head", "kfree_skbmem", "skb_attempt_defer_free", "sock_wfree",
			"__sock_wfree", "sock_rfree", "tcp_wfree", "skb_orphan");

	/** How long after its free a freeing function's event can still be the freed packet's. */
	private static final long FREEING_NANOS = 10_000_000L;

	/** Functions after which an skb has a new data buffer (and so a new kernel journey id). */
	private static final Set<String> HEAD_REPLACED_BY = Set.of("pskb_expand_head", "skb_cow_data_for_xdp",
			"netif_skb_check_for_xdp");

	/**
	 * Every path so far, in the order of their first events: its {@link Builder} while events may
	 * join it, then null (the path is in {@link #finished}, or was no packet's).
	 */
	private final RefColumn<Builder> all = new RefColumn<>();
	/** How many paths so far: the places in {@link #all}. */
	private int pathCount;
	private final FinishedPaths finished;
	/** The path each live skb address continues, until its free. */
	private final LongKeyedMap<Builder> open = new LongKeyedMap<>();
	private List<PacketPath> snapshot = List.of();
	/** The journey each kernel id stands for now: itself, or the id made up when it was reused. */
	private final LongMap live = new LongMap();
	/**
	 * The ids made up so far, which a new one must not be, nor a key of {@link #live}: every journey
	 * a path was given is one or the other (a kernel's id is a key from its first path on), so the
	 * two are every journey in use, looked up per made-up id and not with {@code live.containsValue},
	 * which walked the whole map each time. Only the made-up ones: a set of all journeys was a
	 * flood's largest table, a copy of {@link #live}'s keys. A set: its values are unused.
	 */
	private final LongMap madeUp = new LongMap();
	/**
	 * The last path of each skb address that ended at a free: its kernel journey id tells a reuse
	 * of the address and buffer, and a function that freed the packet returns after it.
	 */
	private final EndedPaths ended = new EndedPaths();
	/** Journey ids made up for splits the kernel did not see, so far. */
	private long splits;
	private boolean changed;
	/** The event at an index given to {@link #add(PacketEvent, int)}: what a path's list reads. */
	private final IntFunction<PacketEvent> eventAt;

	/**
	 * @param eventAt the event at an index given to {@link #add(PacketEvent, int)}, decoded again
	 *     or kept, as a path's list gives it; called from any thread
	 */
	public PathAssembler(IntFunction<PacketEvent> eventAt) {
		this.eventAt = eventAt;
		this.finished = new FinishedPaths(eventAt);
	}

	/**
	 * Adds one event, in trace order.
	 *
	 * @param index the event's place in the trace, which {@code eventsAt} turns back into it
	 */
	public void add(PacketEvent event, int index) {
		if (event.kind() == ProbeKind.FUNCTION_RETURN && addReturn(event, index)) {
			return;
		}
		Builder path = open.get(event.skb());
		if (path == null && event.kind() == ProbeKind.FUNCTION && FREEING.contains(event.where())) {
			int freed = ended.find(event.skb());
			if (freed >= 0 && isBeingFreedBy(freed, event)) {
				// its teardown, not the next packet at the address: that one's journey id may be the
				// teardown's (the same address and buffer again), and its path must not start here
				joinEnded(freed, event, index);
				return;
			}
		}
		long journey = event.journey();
		boolean split = false;
		if (path != null && path.headReplacedBefore(event)) {
			// The same packet in a new buffer: copies made from now on carry the new id.
			path.kernelNow = journey;
			live.put(journey, path.journey);
		} else if (path != null && !path.continuesWith(event)) {
			if (journey != 0 && path.kernelNow == journey) {
				journey = madeUpJourney(event);
				split = true;
			}
			path = null;
		}
		int endedHere = path == null ? ended.find(event.skb()) : -1;
		if (endedHere >= 0 && !split && journey != 0 && journey == ended.kernelJourney(endedHere)) {
			// The kernel derives the id from the skb's address and buffer: the same pair after a
			// free is the allocator handing both back at once, to another packet.
			journey = madeUpJourney(event);
			split = true;
		}
		if (path == null && !split && journey != 0 && live.containsKey(journey) && !COPIED_BY.contains(event.where())) {
			// Another skb's journey on an skb that did not start as its copy: the kernel's record of
			// an earlier copy at this address, freed where no probe saw it (out of scope), whose
			// address and buffer the allocator handed back at once to another packet. Seen on 7.3:
			// a multicast datagram in the journey of an IPv6 router solicitation.
			journey = madeUpJourney(event);
			split = true;
		}
		if (path == null && journey != 0) {
			// Not the sign: half the kernel's ids (64-bit hashes) are negative too.
			if (split) {
				live.put(event.journey(), journey);
				madeUp.put(journey, 1);
			} else {
				// A copy carries the id of its parent's skb: it joins the journey that id stands
				// for now, which is a made-up one when the parent's address and buffer were reused.
				journey = live.putIfAbsentItself(journey);
			}
		}
		if (path == null) {
			path = new Builder(event.skb(), event.journey(), journey, pathCount);
			all.set(pathCount++, path);
			Builder replaced = open.put(event.skb(), path);
			if (replaced != null) {
				// another packet at its address while it lived: nothing looks it up any more
				finished(replaced);
			}
		}
		path.add(event, index);
		if (event.isDrop() || event.isConsumed()) {
			// Freed: only a function's return or the teardown may join it yet, which the numbers
			// kept for its address tell; its events go to the finished paths now.
			open.remove(event.skb());
			finished(path);
			ended.put(event.skb(), path.position, path.kernelNow, index, event.cpu(), event.timestampNanos());
		}
		changed = true;
	}

	/**
	 * A path whose packet was freed, or left open by another packet at its address: it keeps only
	 * numbers, as the path a snapshot shows (or nothing, for no packet's path): a flood's hundreds
	 * of thousands of paths hold no decoded event, no builder and, until read, no object of their own.
	 */
	private void finished(Builder builder) {
		finished.finish(builder.position, builder.skb, builder.journey, builder.indices, builder.count,
				builder.travelled, builder.path);
		all.set(builder.position, null);
	}

	/** Adds {@code event} to the freed path of {@code slot} of {@link #ended}. */
	private void joinEnded(int slot, PacketEvent event, int index) {
		finished.join(ended.position(slot), index, travels(event));
		changed = true;
	}

	/** Whether {@code event}, a freeing function's, is the teardown of the packet of {@code slot}, right after its free. */
	private boolean isBeingFreedBy(int slot, PacketEvent event) {
		long freedAt = ended.freedAtNanos(slot);
		return event.cpu() == ended.cpu(slot) && event.ipVersion() == 0 && event.timestampNanos() >= freedAt
				&& event.timestampNanos() - freedAt <= FREEING_NANOS;
	}

	/**
	 * Whether the path of {@code slot} ended at a drop in {@code function}: its location, or a caller
	 * in its stack. The free is decoded again: only a function's return at a freed address asks.
	 */
	private boolean endedByADropIn(int slot, String function) {
		PacketEvent free = eventAt.apply(ended.free(slot));
		return free.isDrop() && (free.locationFunction().filter(function::equals).isPresent()
				|| free.stackFunctions().contains(function));
	}

	/** Whether {@code event} shows a packet: dropped, through a device or the receive stack, or queued on a socket. */
	private static boolean travels(PacketEvent event) {
		return event.isDrop() || (event.kind() == ProbeKind.FUNCTION ? QUEUED_TO_SOCKET : TRAVEL).contains(event.where());
	}

	/**
	 * A function's return joins the path its skb was on when the function was entered (the event
	 * is a snapshot from then): the open path of its address when that path had the snapshot's
	 * tuple (NAT inside the function may have changed it since), or the path that just ended at a
	 * drop inside that very function, which freed the packet before it returned (nf_hook_slow
	 * frees what it drops, then returns -EPERM). Otherwise it is the first event of another packet
	 * at a reused address (the function's entry unprobed), and starts a path as any event.
	 */
	private boolean addReturn(PacketEvent event, int index) {
		Builder path = open.get(event.skb());
		if (path != null) {
			if (!path.sameJourney(event) || !path.hadTupleOf(event)) {
				return false;
			}
			path.add(event, index);
			changed = true;
			return true;
		}
		int freed = ended.find(event.skb());
		if (freed < 0 || !sameJourney(ended.kernelJourney(freed), event) || !endedByADropIn(freed, event.where())) {
			return false;
		}
		joinEnded(freed, event, index);
		return true;
	}

	/**
	 * A journey id for a packet the kernel gave another's id: the kernel's id and the event's time,
	 * mixed (SplitMix64's finalizer) into a 64-bit value no journey of this trace has. The kernel's
	 * ids are hashes too, so a made-up id cannot be told from one by its look, only by being unique.
	 */
	private long madeUpJourney(PacketEvent event) {
		long id;
		do {
			long z = event.journey() ^ event.timestampNanos() ^ (++splits * 0x9E3779B97F4A7C15L);
			z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
			z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
			id = z ^ (z >>> 31);
		} while (id == 0 || live.containsKey(id) || madeUp.containsKey(id));
		return id;
	}

	/**
	 * The paths of packets so far: those that were dropped, went through a device or the receive
	 * stack, or were queued on a socket. Anything else is a copy the kernel made and freed without
	 * sending it anywhere — e.g. neigh_probe's clone of a packet waiting for ARP, handed to
	 * arp_solicit and consumed — and is not a packet of its own.
	 */
	public List<PacketPath> paths() {
		if (changed) {
			IntColumn positions = new IntColumn();
			int living = 0;
			for (int position = 0; position < pathCount; position++) {
				Builder builder = all.get(position);
				if (builder != null ? builder.travelled : finished.has(position)) {
					positions.add(position);
					living += builder != null ? 1 : 0;
				}
			}
			// the paths still open are made now: later events would change them
			int[] livePositions = new int[living];
			PacketPath[] livePaths = new PacketPath[living];
			int next = 0;
			for (int i = 0; i < positions.size(); i++) {
				Builder builder = all.get(positions.get(i));
				if (builder != null) {
					livePositions[next] = positions.get(i);
					livePaths[next++] = builder.path();
				}
			}
			snapshot = new Snapshot(positions, livePositions, livePaths, finished.joins());
			changed = false;
		}
		return snapshot;
	}

	/**
	 * The paths as of one call of {@link #paths()}, by their places: the finished ones made when
	 * first read (the same object in every snapshot), the open ones as they were at the call.
	 */
	private final class Snapshot extends AbstractList<PacketPath> implements RandomAccess {

		private final IntColumn positions;
		/** The places of the paths that were open, ascending, and their paths then. */
		private final int[] livePositions;
		private final PacketPath[] livePaths;
		/** The events that had joined freed paths then: the versions of those paths this one shows. */
		private final int joins;

		Snapshot(IntColumn positions, int[] livePositions, PacketPath[] livePaths, int joins) {
			this.positions = positions;
			this.livePositions = livePositions;
			this.livePaths = livePaths;
			this.joins = joins;
		}

		@Override
		public PacketPath get(int index) {
			int position = positions.get(index);
			int live = Arrays.binarySearch(livePositions, position);
			return live >= 0 ? livePaths[live] : finished.path(position, joins);
		}

		@Override
		public int size() {
			return positions.size();
		}
	}

	/** An open path's events: its indices as of a snapshot, decoded as they are read. */
	private static final class Indexed extends RecordedEvents {

		private final int[] indices;
		private final IntFunction<PacketEvent> eventAt;

		Indexed(int[] indices, IntFunction<PacketEvent> eventAt) {
			this.indices = indices;
			this.eventAt = eventAt;
		}

		@Override
		public PacketEvent get(int index) {
			if (index < 0 || index >= indices.length) {
				throw new IndexOutOfBoundsException("event " + index + " of " + indices.length);
			}
			return eventAt.apply(indices[index]);
		}

		@Override
		public int size() {
			return indices.length;
		}
	}

	/** Groups a finished list of events, as a trace holding exactly them would. */
	public static List<PacketPath> group(List<PacketEvent> events) {
		PathAssembler assembler = new PathAssembler(events::get);
		for (int i = 0; i < events.size(); i++) {
			assembler.add(events.get(i), i);
		}
		return assembler.paths();
	}

	private final class Builder {

		/** The skb's address. */
		private final long skb;
		/** Its place in {@link #all}. */
		private final int position;
		/** The events so far: the grouping of what comes next looks at them while the packet lives. */
		private List<PacketEvent> events = new ArrayList<>(4);
		/** The last event so far. */
		private PacketEvent last;
		/** The indices of the events so far: the first {@link #count}. */
		private int[] indices = new int[4];
		private int count;
		/** The id the kernel gives this path's events now (0: none; see headReplacedBefore). */
		private long kernelNow;
		/** The journey the path belongs to: the kernel's id, or one made up for a split. */
		private final long journey;
		/** The last event with an IP tuple, the tuple the next one must have. */
		private PacketEvent lastWithTuple;
		private boolean travelled;
		/** An event had an EtherType or an IP header: a frame, not a message between processes. */
		private boolean framed;
		/** A socket took the skb: its filter ran, it was queued or read. */
		private boolean reachedASocket;
		/** Whether a socket got the packet: after that, its skb is freed where no probe sees it. */
		private boolean delivered;
		/** The immutable path as of the last snapshot; null when events came since. */
		private PacketPath path;

		Builder(long skb, long kernelJourney, long journey, int position) {
			this.skb = skb;
			this.position = position;
			this.kernelNow = kernelJourney;
			this.journey = journey;
		}

		/**
		 * Whether the kernel gave this live skb a new data buffer just before {@code event}, so that
		 * its id (derived from the buffer) changed while the packet did not: after
		 * pskb_expand_head, where a function backend sees it, or at generic XDP's drop, which
		 * reallocates the head of an skb without XDP headroom right before running the program (all
		 * the tracepoints see of it). Anywhere else a new id on a live address is another packet.
		 */
		boolean headReplacedBefore(PacketEvent event) {
			if (event.journey() == 0 || kernelNow == 0 || event.journey() == kernelNow) {
				return false;
			}
			if (!sameTuple(lastWithTuple, event)) {
				return rewrittenInAPrivateCopy(event, last);
			}
			return last.kind() == ProbeKind.FUNCTION && HEAD_REPLACED_BY.contains(last.where())
					|| DropAttribution.isGenericXdpDrop(event) || reallocatedOnTheWay(event, last);
		}

		/**
		 * The packet got a bigger buffer on its way through a namespace, where the tracepoints do
		 * not see it happen: forwarded into a device that needs more headroom (ip_forward's
		 * skb_cow: a VXLAN device asks for 50 bytes more than a pod's packet has), encapsulated by
		 * a tunnel (its skb_cow_head), or decapsulated into the inner packet. The next event then
		 * shows the same tuple (an encapsulated packet's is its inner one), in the same namespace,
		 * under a new id, at a device (queued, sent, received) or, across an encapsulation's edge
		 * (one event encapsulated, the other not), anywhere (the sending node's OUTPUT may drop it
		 * right after the tunnel wrapped it). Another packet at the address of one freed unseen is
		 * told apart: the usual unseen free is a socket's read, after the packet was delivered; a
		 * new packet enters a device this one already entered (its sender's, a veth's, a
		 * loopback's), or is first seen in another namespace; and it has its ports written.
		 */
		private boolean reallocatedOnTheWay(PacketEvent event, PacketEvent last) {
			if (lastWithTuple == null) {
				return false;
			}
			boolean ported = event.l4Protocol() == PacketEvent.TCP || event.l4Protocol() == PacketEvent.UDP;
			boolean atADevice = event.kind() == ProbeKind.TRACEPOINT && ON_A_DEVICE.contains(event.where());
			boolean tunnelEdge = event.encapsulation().isPresent() != lastWithTuple.encapsulation().isPresent();
			return event.ipVersion() != 0 && (!ported || event.sourcePort() != 0 || event.destinationPort() != 0)
					&& event.netns() == last.netns() && (atADevice || tunnelEdge || droppedWhileForwarded(event))
					&& !delivered && !entersAgain(event);
		}

		/**
		 * Dropped in a namespace it was received in and not delivered there: a forwarded packet whose
		 * data its sender still shares (TCP keeps a clone of every segment) gets a buffer of its own
		 * in ip_forward (skb_cow, before the TTL is decremented), and the FORWARD chain may drop it
		 * next, before it reaches a device. A new packet in that namespace would be seen entering it
		 * (or leaving it) before its drop.
		 */
		private boolean droppedWhileForwarded(PacketEvent event) {
			return event.isDrop() && events.stream().anyMatch(seen -> seen.kind() == ProbeKind.TRACEPOINT
					&& seen.netns() == event.netns() && RECEIVED.contains(seen.where()));
		}

		/**
		 * NAT rewrote the packet in a buffer of its own: to change the headers of an skb whose data
		 * it shares with a clone (TCP keeps one of every segment it sends, for retransmission),
		 * netfilter's mangling first gives it a private copy (skb_ensure_writable, then
		 * pskb_expand_head), which the tracepoints do not see. So a forwarded TCP segment that DNAT
		 * rewrote has a new id at its next event, in the same namespace, with conntrack's record of
		 * the tuple it had. Another packet at a live address (freed where no probe saw it) is told
		 * apart by entering a device this path already entered, or another namespace.
		 */
		private boolean rewrittenInAPrivateCopy(PacketEvent event, PacketEvent last) {
			return lastWithTuple != null && event.netns() == last.netns() && translatedFrom(lastWithTuple, event)
					&& !entersAgain(event);
		}

		void add(PacketEvent event, int index) {
			events.add(event);
			last = event;
			if (count == indices.length) {
				indices = Arrays.copyOf(indices, count * 2);
			}
			indices[count++] = index;
			// A function's return shows the packet as the function was entered, not as it is now.
			if (event.ipVersion() != 0 && event.kind() != ProbeKind.FUNCTION_RETURN) {
				lastWithTuple = event;
			}
			travelled |= travels(event);
			delivered |= (event.kind() == ProbeKind.FUNCTION ? QUEUED_TO_SOCKET : DELIVERED).contains(event.where());
			framed |= event.etherType() != 0 || event.ipVersion() != 0;
			reachedASocket |= delivered || SOCKET_FILTER.equals(event.where());
			path = null;
		}

		PacketPath path() {
			if (path == null) {
				path = new PacketPath(skb, new Indexed(Arrays.copyOf(indices, count), eventAt), journey);
			}
			return path;
		}

		/** Whether an event of this path had {@code event}'s tuple (or it has none). */
		boolean hadTupleOf(PacketEvent event) {
			return event.ipVersion() == 0 || events.stream().anyMatch(seen -> seen.ipVersion() != 0
					&& seen.kind() != ProbeKind.FUNCTION_RETURN && sameTuple(seen, event));
		}

		boolean continuesWith(PacketEvent event) {
			return sameJourney(event) && (sameTuple(lastWithTuple, event) || translated(lastWithTuple, event))
					&& sameEtherType(last, event) && !entersAgain(event) && !followsAMessage(event);
		}

		/**
		 * Whether {@code event}, a frame, is another packet at the address of a message that a socket
		 * took without it ever being a frame (no EtherType, no IP header): a netlink message, the
		 * kernel's answer to a process in a traced namespace (the acknowledgements of the tracer's
		 * own netfilter requests there, {@code ip}, {@code iptables-nft}). Its reader frees it where
		 * the scope does not see it, and the allocator may hand its address and buffer back at once,
		 * so the next packet there has its journey id too and would otherwise carry on its path, from
		 * the message's time. Seen on 7.3: a TCP RST, then an ARP request, at the address of a
		 * netlink acknowledgement.
		 */
		private boolean followsAMessage(PacketEvent event) {
			return reachedASocket && !framed && (event.etherType() != 0 || event.ipVersion() != 0);
		}

		private boolean sameJourney(PacketEvent event) {
			return PathAssembler.sameJourney(kernelNow, event);
		}

		private boolean entersAgain(PacketEvent event) {
			if (event.kind() != ProbeKind.TRACEPOINT || !ENTRIES.contains(event.where())) {
				return false;
			}
			for (PacketEvent seen : events) {
				if (seen.kind() == ProbeKind.TRACEPOINT && seen.where().equals(event.where())
						&& seen.netns() == event.netns() && seen.ifindex() == event.ifindex()) {
					return true;
				}
			}
			return false;
		}
	}

	/** Whether {@code event} is of the journey the kernel gave a path's events last, {@code kernelNow} (0: none). */
	private static boolean sameJourney(long kernelNow, PacketEvent event) {
		return kernelNow == 0 || event.journey() == 0 || kernelNow == event.journey();
	}

	/** An ARP reply and the IP packet that later reuses its address are different packets. */
	private static boolean sameEtherType(PacketEvent previous, PacketEvent next) {
		int before = etherType(previous);
		int after = etherType(next);
		return before == 0 || after == 0 || before == after;
	}

	/**
	 * The EtherType of the packet an event is about: where it is encapsulated, the inner packet's
	 * (its tuple is the inner one), not the underlay's, which differs over an IPv6 underlay.
	 */
	private static int etherType(PacketEvent event) {
		if (event.encapsulation().isPresent() && event.ipVersion() != 0) {
			return event.ipVersion() == 6 ? ETH_P_IPV6 : ETH_P_IP;
		}
		return event.etherType();
	}

	/**
	 * The same packet, rewritten by NAT: the kernel gave both one journey and conntrack says the
	 * packet had the previous tuple before its translation, or, for a packet rewritten twice (DNAT,
	 * then SNAT: a hairpin to a published port), that both come from the same original tuple, which
	 * is all conntrack records.
	 */
	private static boolean translated(PacketEvent previous, PacketEvent next) {
		return previous != null && next.journey() != 0 && previous.journey() == next.journey()
				&& translatedFrom(previous, next);
	}

	/** Conntrack says {@code next} had {@code previous}'s tuple, or the same original tuple, before NAT. */
	private static boolean translatedFrom(PacketEvent previous, PacketEvent next) {
		if (!next.wasTranslated()) {
			return false;
		}
		PacketEvent original = next.beforeTranslation().orElseThrow();
		return sameTuple(previous, original)
				|| previous.wasTranslated() && sameTuple(previous.beforeTranslation().orElseThrow(), original);
	}

	/**
	 * Same packet as far as the tuples tell; events without an IP tuple match anything, and so do
	 * the ports of a TCP or UDP header not written yet (both 0: the function backend sees
	 * udp_send_skb, tcp_transmit_skb… before they fill it in; no packet on the wire has port 0).
	 */
	private static boolean sameTuple(PacketEvent previous, PacketEvent next) {
		if (previous == null || next.ipVersion() == 0) {
			return true;
		}
		boolean portsUnwritten = previous.sourcePort() == 0 && previous.destinationPort() == 0
				|| next.sourcePort() == 0 && next.destinationPort() == 0;
		return previous.ipVersion() == next.ipVersion() && previous.l4Protocol() == next.l4Protocol()
				&& Objects.equals(previous.source(), next.source())
				&& Objects.equals(previous.destination(), next.destination())
				&& (portsUnwritten || previous.sourcePort() == next.sourcePort()
						&& previous.destinationPort() == next.destinationPort())
				&& previous.icmpType() == next.icmpType() && previous.icmpCode() == next.icmpCode();
	}
}

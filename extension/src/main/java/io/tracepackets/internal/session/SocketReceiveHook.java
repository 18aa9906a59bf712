package io.tracepackets.internal.session;

import io.tracepackets.PacketEvent;
import io.tracepackets.TracePacketsException;
import io.tracepackets.internal.bpf.BpfObject;
import io.tracepackets.internal.bpf.BpfProgram;
import io.tracepackets.internal.btf.KernelFunctions;
import io.tracepackets.internal.ffi.Libc;
import io.tracepackets.internal.link.BpfLink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The {@code socket_receive} hook: a cgroup_skb ingress program on the root of the cgroup v2
 * hierarchy, which sees the moment a socket accepts an skb. Only where the kernel can give it the
 * skb's address (bpf_cast_to_kern_ctx, 6.2+); elsewhere the tracer does without it and says why.
 * Where the probes are the guarded build (6.14+) the program is one of theirs, loaded with them
 * ({@link #attachBuiltIn}); before, it is an object of its own feeding the probes' maps
 * ({@link #attach}).
 */
final class SocketReceiveHook implements AutoCloseable {

	private static final String RESOURCE = "io/tracepackets/bpf/socket_receive.bpf.o";
	private static final String CAST_TO_KERN_CTX = "bpf_cast_to_kern_ctx";

	/** Its own object, closed with it; null when the program is the probes'. */
	private final BpfObject object;
	private final BpfLink link;

	private SocketReceiveHook(BpfObject object, BpfLink link) {
		this.object = object;
		this.link = link;
	}

	/** Where the hook attaches on this machine (the cgroup v2 root), read once; without one, why not. */
	record Place(Optional<Path> cgroup, String whyNot) {

		/** The attempt that could not attach, saying why. */
		Attempt unattached() {
			return new Attempt(Optional.empty(), whyNot);
		}
	}

	static Place place() {
		if (!KernelFunctions.has(CAST_TO_KERN_CTX)) {
			return new Place(Optional.empty(), "the kernel has no " + CAST_TO_KERN_CTX + " (6.2+)");
		}
		Optional<Path> root = cgroup2Root();
		return new Place(root, root.isPresent() ? null : "no cgroup v2 hierarchy is mounted");
	}

	/** Whether the probes' object carries the hook's program (the guarded build). */
	static boolean builtInto(ProbeObject probes) {
		return probes.bpf().programNames().contains(PacketEvent.SOCKET_RECEIVE);
	}

	/** Attaches the hook as an object of its own, or returns why it cannot be. */
	static Attempt attach(ProbeObject main, TracerOptions options) {
		Place place = place();
		if (place.cgroup().isEmpty()) {
			return place.unattached();
		}
		BpfObject object = BpfObject.openResource(RESOURCE, "tp_socket", main.filter());
		try {
			main.shareMapsWith(object);
			ProbeObject.setLoadOptions(object, options);
			object.load();
			Attempt attempt = attach(object, object.program(PacketEvent.SOCKET_RECEIVE), place.cgroup().get());
			if (attempt.hook().isEmpty()) {
				object.close();
			}
			return attempt;
		} catch (TracePacketsException e) {
			object.close();
			return new Attempt(Optional.empty(), e.getMessage().lines().findFirst().orElse(e.getMessage()));
		}
	}

	/** Attaches the program the probes loaded ({@link #builtInto}) to {@code cgroup}, or returns why it cannot be. */
	static Attempt attachBuiltIn(ProbeObject probes, Path cgroup) {
		return attach(null, probes.program(PacketEvent.SOCKET_RECEIVE), cgroup);
	}

	private static Attempt attach(BpfObject own, BpfProgram program, Path cgroup) {
		try {
			int cgroupFd = Libc.openReadOnly(cgroup.toString());
			try {
				BpfLink link = program.attachCgroup(cgroupFd, cgroup.toString());
				return new Attempt(Optional.of(new SocketReceiveHook(own, link)), "attached to " + cgroup);
			} finally {
				Libc.close(cgroupFd);
			}
		} catch (TracePacketsException e) {
			return new Attempt(Optional.empty(), e.getMessage().lines().findFirst().orElse(e.getMessage()));
		}
	}

	/** Where cgroup2 is mounted: /sys/fs/cgroup on unified hosts, /sys/fs/cgroup/unified on hybrid ones. */
	static Optional<Path> cgroup2Root() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
				// id parent major:minor root mountpoint options... - fstype source options
				String[] halves = line.split(" - ", 2);
				if (halves.length == 2 && halves[1].startsWith("cgroup2 ")) {
					String[] fields = halves[0].split(" ");
					if (fields.length > 4 && fields[3].equals("/")) {
						return Optional.of(Path.of(fields[4]));
					}
				}
			}
		} catch (IOException e) {
			return Optional.empty();
		}
		return Optional.empty();
	}

	@Override
	public void close() {
		link.close();
		if (object != null) {
			object.close();
		}
	}

	/** The hook if attached, and a sentence on why or why not. */
	record Attempt(Optional<SocketReceiveHook> hook, String why) {
	}
}

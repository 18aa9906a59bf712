package io.tracepackets.internal.session;

import io.tracepackets.PacketEvent;
import io.tracepackets.TracePacketsException;
import io.tracepackets.internal.bpf.BpfObject;
import io.tracepackets.internal.btf.KernelFunctions;
import io.tracepackets.internal.ffi.Libc;
import io.tracepackets.internal.link.BpfLink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The {@code socket_receive} hook: a cgroup_skb ingress program on the root of the cgroup v2
 * hierarchy, which sees the moment a socket accepts an skb. Loaded as its own object feeding the
 * tracer's maps, and only where the kernel can give it the skb's address (bpf_cast_to_kern_ctx,
 * 6.2+); elsewhere the tracer does without it and says why.
 */
final class SocketReceiveHook implements AutoCloseable {

	private static final String RESOURCE = "io/tracepackets/bpf/socket_receive.bpf.o";
	private static final String CAST_TO_KERN_CTX = "bpf_cast_to_kern_ctx";

	private final BpfObject object;
	private final BpfLink link;

	private SocketReceiveHook(BpfObject object, BpfLink link) {
		this.object = object;
		this.link = link;
	}

	/** Attaches the hook, or returns why it cannot be. */
	static Attempt attach(ProbeObject main, TracerOptions options) {
		if (!KernelFunctions.has(CAST_TO_KERN_CTX)) {
			return new Attempt(Optional.empty(), "the kernel has no " + CAST_TO_KERN_CTX + " (6.2+)");
		}
		Optional<Path> cgroup = cgroup2Root();
		if (cgroup.isEmpty()) {
			return new Attempt(Optional.empty(), "no cgroup v2 hierarchy is mounted");
		}
		BpfObject object = BpfObject.openResource(RESOURCE, "tp_socket", main.filter());
		try {
			main.shareMapsWith(object);
			ProbeObject.setLoadOptions(object, options);
			object.load();
			int cgroupFd = Libc.openReadOnly(cgroup.get().toString());
			try {
				BpfLink link = object.program(PacketEvent.SOCKET_RECEIVE).attachCgroup(cgroupFd, cgroup.get().toString());
				return new Attempt(Optional.of(new SocketReceiveHook(object, link)), "attached to " + cgroup.get());
			} finally {
				Libc.close(cgroupFd);
			}
		} catch (TracePacketsException e) {
			object.close();
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
		object.close();
	}

	/** The hook if attached, and a sentence on why or why not. */
	record Attempt(Optional<SocketReceiveHook> hook, String why) {
	}
}

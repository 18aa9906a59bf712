package io.tracepackets.internal.xdp;

import io.tracepackets.TracePacketsException;
import io.tracepackets.internal.bpf.BpfMap;
import io.tracepackets.internal.bpf.BpfObject;
import io.tracepackets.internal.bpf.BpfProgram;
import io.tracepackets.internal.ffi.Libc;
import io.tracepackets.internal.libbpf.LibBpf;
import io.tracepackets.internal.link.BpfLink;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * fexit probes on XDP programs (bpf/xdp_verdict.bpf.c): one per traced program, each its own
 * object on the tracer's maps, loaded with the XDP program as its attach target, so the program's
 * drop verdicts land in the ring buffer as {@code xdp} events. pwru's {@code --filter-trace-xdp}
 * traces XDP programs the same way. Where the kernel refuses tracing programs (fentry/fexit: EPERM
 * under lockdown, or no BTF in the XDP program), the refusal is kept as the reason, and drops by
 * that program are named by attach point only.
 *
 * <p>Owned by one trace window: closing it detaches every probe, which also releases the XDP
 * programs (a tracing link holds its target loaded).
 */
public final class XdpVerdictProbes implements AutoCloseable {

	private static final Logger LOG = LoggerFactory.getLogger(XdpVerdictProbes.class);
	private static final String RESOURCE = "io/tracepackets/bpf/xdp_verdict.bpf.o";
	private static final String PROGRAM = "xdp_verdict";
	private static final String PROGRAM_ID_MAP = ".rodata.xdp";

	private final Function<String, BpfMap> sharedMaps;
	private final List<String> sharedMapNames;
	private final Map<Integer, Attached> attached = new HashMap<>();
	private final Map<Integer, String> refused = new HashMap<>();
	/** Why no program can be probed on this kernel (it refused the tracer's own fentry programs); null: try each. */
	private final String refusedByTheKernel;
	private boolean closed;

	/**
	 * Probes that will feed the tracer's maps.
	 *
	 * @param sharedMaps the tracer's map of each name
	 * @param sharedMapNames the maps every object of the tracer shares (config, events, ...)
	 * @param refusedByTheKernel why the kernel refuses every fexit program (it refused the tracer's
	 *     own fentry programs the same way), or empty to try each XDP program
	 */
	public XdpVerdictProbes(Function<String, BpfMap> sharedMaps, List<String> sharedMapNames,
			Optional<String> refusedByTheKernel) {
		this.sharedMaps = sharedMaps;
		this.sharedMapNames = List.copyOf(sharedMapNames);
		this.refusedByTheKernel = refusedByTheKernel.orElse(null);
	}

	/**
	 * Whether a program could be probed at all: not where the kernel refuses tracing programs, so
	 * a window need not look for XDP programs when it scopes a namespace (a netlink dump inside
	 * it, a seventh of a window's cost).
	 */
	public boolean canProbe() {
		return refusedByTheKernel == null;
	}

	/** Probes every program of {@code programs} not probed yet (nor refused before). */
	public synchronized void trace(List<XdpPrograms.Program> programs) {
		for (XdpPrograms.Program program : programs) {
			if (closed || attached.containsKey(program.id()) || refused.containsKey(program.id())) {
				continue;
			}
			try {
				// A refusal is expected where the kernel refuses tracing programs, and explained below
				// and in failure messages (whyNotTraced): libbpf's own lines about it ("permission
				// error ... try raising 'ulimit -l'?") would send the reader the wrong way, so they go
				// to debug; the reason is still captured from them.
				attached.put(program.id(), LibBpf.quietly(() -> attach(program)));
				LOG.debug("fexit on XDP program {}", program.describe());
			} catch (TracePacketsException | IllegalArgumentException e) {
				String why = e.getMessage().lines().findFirst().orElse(e.getMessage());
				refused.put(program.id(), why);
				LOG.info("no fexit probe on XDP program {}, so its drops are named by where it is attached: {}",
						program.describe(), why);
			}
		}
	}

	/**
	 * Whether the program's drops are seen (its probe attached), else why not.
	 *
	 * @return empty when probed; the kernel's refusal, or "not probed" when it was never tried
	 */
	public synchronized Optional<String> whyNotTraced(int programId) {
		if (attached.containsKey(programId)) {
			return Optional.empty();
		}
		if (refusedByTheKernel != null) {
			return Optional.of(refusedByTheKernel);
		}
		return Optional.of(refused.getOrDefault(programId, "it was attached after the namespace was scoped"
				+ " (scope the namespace again after attaching it, or attach it first)"));
	}

	private Attached attach(XdpPrograms.Program program) {
		BpfObject object = BpfObject.openResource(RESOURCE, "tp_xdp_" + program.id());
		try {
			for (String map : sharedMapNames) {
				object.map(map).reuse(sharedMaps.apply(map));
			}
			try (Arena arena = Arena.ofConfined()) {
				object.map(PROGRAM_ID_MAP).setInitialValue(arena.allocateFrom(ValueLayout.JAVA_INT, program.id()));
			}
			BpfProgram probe = object.program(PROGRAM);
			int target = LibBpf.programFdById(program.id(), "XDP program " + program.describe());
			try {
				// fexit attaches to the program's function by its BTF name: the name read from
				// that BTF (LibBpf.programName), not the kernel's 15-character copy.
				probe.setAttachTarget(target, program.name());
				object.load();
			} finally {
				Libc.close(target);
			}
			return new Attached(object, probe.attach());
		} catch (RuntimeException e) {
			object.close();
			throw e;
		}
	}

	@Override
	public synchronized void close() {
		closed = true;
		for (Attached probe : attached.values()) {
			try {
				probe.link().close();
			} finally {
				probe.object().close();
			}
		}
		attached.clear();
	}

	private record Attached(BpfObject object, BpfLink link) {
	}
}

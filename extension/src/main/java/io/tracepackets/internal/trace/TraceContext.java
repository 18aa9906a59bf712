package io.tracepackets.internal.trace;

import io.tracepackets.ProbeCatalog;
import io.tracepackets.internal.backend.BackendSelection;
import io.tracepackets.internal.btf.DropReasons;
import io.tracepackets.internal.netns.InterfaceNames;
import io.tracepackets.internal.symbols.Kallsyms;
import io.tracepackets.internal.tracer.Tracer;
import io.tracepackets.internal.tracer.TracerOptions;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything tracing needs once per JVM: the attached tracer and the kernel's names (kallsyms,
 * drop reasons, interfaces). Opens one {@link WindowPacketTrace} per test.
 */
public final class TraceContext implements AutoCloseable {

	private static final Logger LOG = LoggerFactory.getLogger(TraceContext.class);

	private final Tracer tracer;
	private final Kallsyms kallsyms;
	private final DropReasons dropReasons;
	private final InterfaceNames interfaceNames = new InterfaceNames();
	private final ProbeCatalog catalog;

	private TraceContext(Tracer tracer, Kallsyms kallsyms, DropReasons dropReasons, TracerOptions options) {
		this.tracer = tracer;
		this.kallsyms = kallsyms;
		this.dropReasons = dropReasons;
		BackendSelection selection = tracer.backend();
		this.catalog = new KernelProbeCatalog(selection.chosen().label(), selection.describe(),
				tracer.attachedTracepoints(), tracer.functions().attached(), kallsyms, dropReasons.names(),
				options.functions(), selection.targets() == null ? List.of() : selection.targets().ambiguous(),
				tracer.functions().failed(), tracer.socketReceiveAttached() ? null : tracer.socketReceiveStatus());
	}

	/** Loads kernel names and starts the tracer; throws TracingUnavailableException with the reason. */
	public static TraceContext start(TracerOptions options) {
		long started = System.nanoTime();
		Kallsyms kallsyms = Kallsyms.load();
		DropReasons dropReasons = DropReasons.fromKernel();
		LOG.info("kernel names loaded in {} ms ({} drop reasons)", (System.nanoTime() - started) / 1_000_000,
				dropReasons.names().size());
		Tracer tracer = Tracer.start(options, kallsyms);
		try {
			return new TraceContext(tracer, kallsyms, dropReasons, options);
		} catch (RuntimeException | Error e) {
			tracer.close();
			throw e;
		}
	}

	public Tracer tracer() {
		return tracer;
	}

	public Kallsyms kallsyms() {
		return kallsyms;
	}

	public DropReasons dropReasons() {
		return dropReasons;
	}

	public ProbeCatalog catalog() {
		return catalog;
	}

	InterfaceNames interfaceNames() {
		return interfaceNames;
	}

	EventDecoder decoder(EventDecoder.InterfaceResolver interfaces) {
		return new EventDecoder(kallsyms, dropReasons, tracer::stack, interfaces);
	}

	/** A new trace over events from now on, with an empty scope. */
	public WindowPacketTrace openTrace(Duration awaitTimeout) {
		return new WindowPacketTrace(tracer.openWindow(), this, awaitTimeout);
	}

	@Override
	public void close() {
		tracer.close();
	}
}

package io.tracepackets.internal.link;

import io.tracepackets.internal.libbpf.LibBpf;
import java.lang.foreign.MemorySegment;

/** A link made by libbpf ({@code struct bpf_link}); destroying it closes its fd. */
public final class BpfLink extends Link {

	private final MemorySegment link;

	public BpfLink(MemorySegment link, String name) {
		super(name);
		this.link = link;
	}

	@Override
	public int fd() {
		return LibBpf.linkFd(link);
	}

	@Override
	protected void release() {
		LibBpf.destroyLink(link, name());
	}
}

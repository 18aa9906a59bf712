package io.tracepackets.internal.tc;

import io.tracepackets.internal.ffi.Libc;
import io.tracepackets.internal.libbpf.LibBpf;
import io.tracepackets.internal.netns.NamespaceCommand;
import io.tracepackets.internal.netns.NetnsRunner;
import io.tracepackets.internal.netns.NetworkNamespace;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The BPF programs attached to one tc hook of a device, as the kernel lists them: tcx links
 * (BPF_PROG_QUERY) and tc filters ({@code tc -j filter show dev X ingress}), both inside the
 * device's namespace: what a
 * {@code TC_INGRESS}/{@code TC_EGRESS} drop is attributed to, since the drop's tracepoint does
 * not say which program returned {@code TC_ACT_SHOT}.
 */
public final class TcPrograms {

	/** {@code "prog":{"id":13062,"name":"drop_udp_9000",...}} in tc's JSON. */
	private static final Pattern PROGRAM = Pattern.compile("\"prog\":\\{\"id\":(\\d+),\"name\":\"([^\"]*)\"");

	/**
	 * One attached program.
	 *
	 * @param name its name in the kernel
	 * @param id its id
	 */
	public record Program(String name, int id) {
	}

	private TcPrograms() {
	}

	/**
	 * The programs of a device's tc hook: tcx links first (6.6+; they run before the classic
	 * filters), then the tc filters in their order.
	 *
	 * @param ifindex the device's index in {@code netns}; its name is looked up there, not taken
	 *     from a cache, since namespaces (and their inodes) come and go between tests
	 * @param direction {@code "ingress"} or {@code "egress"}
	 * @return the device's name and its programs; empty programs when none is attached, or
	 *     neither the kernel nor tc can list them
	 */
	public static Hook attached(NetworkNamespace netns, int ifindex, String direction) {
		String device;
		try {
			device = NetnsRunner.call(netns, () -> Libc.interfaceNames().get(ifindex));
		} catch (RuntimeException e) {
			return new Hook(null, List.of());
		}
		if (device == null) {
			return new Hook(null, List.of());
		}
		List<Program> programs = new ArrayList<>(tcx(netns, ifindex, direction));
		try {
			programs.addAll(parse(NamespaceCommand.run(netns, null, "tc", "-j", "filter", "show", "dev", device,
					direction)));
		} catch (RuntimeException e) {
			// no tc binary, or the device is gone: the tcx links are what is known
		}
		return new Hook(device, List.copyOf(programs));
	}

	/**
	 * One tc hook's programs.
	 *
	 * @param device the device's name in its namespace; null when it is gone
	 * @param programs the programs attached, in the order they run
	 */
	public record Hook(String device, List<Program> programs) {
	}

	/** The programs of tcx links on the hook, asked of the kernel inside the device's namespace. */
	private static List<Program> tcx(NetworkNamespace netns, int ifindex, String direction) {
		int attachType = direction.equals("ingress") ? LibBpf.BPF_TCX_INGRESS : LibBpf.BPF_TCX_EGRESS;
		try {
			List<Integer> ids = NetnsRunner.call(netns, () -> LibBpf.attachedProgramIds(ifindex, attachType));
			if (ids.isEmpty()) {
				return List.of();
			}
			return ids.stream().map(id -> new Program(LibBpf.programName(id).orElse("?"), id)).toList();
		} catch (RuntimeException e) {
			return List.of();
		}
	}

	/** The programs in tc's JSON filter listing. */
	public static List<Program> parse(String json) {
		List<Program> programs = new ArrayList<>();
		Matcher m = PROGRAM.matcher(json);
		while (m.find()) {
			programs.add(new Program(m.group(2), Integer.parseInt(m.group(1))));
		}
		return programs;
	}
}

package io.tracepackets.internal.xdp;

import io.tracepackets.internal.netns.NamespaceCommand;
import io.tracepackets.internal.netns.NetworkNamespace;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The XDP programs attached to the devices of one network namespace, as the kernel lists them in
 * its link dump (RTM_GETLINK's IFLA_XDP, read through {@code ip -j -d link show} inside the
 * namespace): what an XDP drop is attributed to. A drop by an XDP program in generic mode frees an
 * skb at {@code do_xdp_generic}, which the drop tracepoint sees without saying which program
 * returned XDP_DROP; in native mode no skb exists, and only a probe on the program itself (fexit)
 * sees the packet.
 */
public final class XdpPrograms {

	/** One link object of ip's JSON array starts here ({@code "link"} or {@code "link_index"} may come before the name). */
	private static final Pattern LINK = Pattern.compile(
			"\\{\"ifindex\":(\\d+),(?:\"[a-z_]+\":(?:\\d+|null|\"[^\"]*\"),)*?\"ifname\":\"([^\"]*)\"");
	/** {@code {"mode":2,"prog":{"id":19533,"name":"xdp_drop_9100",...}}}, top level or in "attached". */
	private static final Pattern PROGRAM = Pattern.compile("\\{\"mode\":(\\d+),\"prog\":\\{\"id\":(\\d+),\"name\":\"([^\"]*)\"");

	/**
	 * One XDP program on one device.
	 *
	 * @param device the device's name in its namespace
	 * @param ifindex the device's index there
	 * @param name the program's name in the kernel
	 * @param id the program's id
	 * @param mode {@code "native"} (the driver's hook), {@code "generic"} (the stack's, on an skb)
	 *     or {@code "offload"} (the NIC's)
	 */
	public record Program(String device, int ifindex, String name, int id, String mode) {

		/** {@code xdp_drop_9100 (id 42) on veth1, native mode}. */
		public String describe() {
			return name + " (id " + id + ") on " + device + ", " + mode + " mode";
		}
	}

	private XdpPrograms() {
	}

	/**
	 * The XDP programs of every device in {@code netns}.
	 *
	 * @return the programs, in device order; empty when none is attached or {@code ip} cannot list them
	 */
	public static List<Program> attached(NetworkNamespace netns) {
		try {
			return parse(NamespaceCommand.run(netns, null, "ip", "-j", "-d", "link", "show"));
		} catch (RuntimeException e) {
			return List.of();
		}
	}

	/** The programs in ip's JSON link listing. */
	public static List<Program> parse(String json) {
		List<Program> programs = new ArrayList<>();
		Matcher link = LINK.matcher(json);
		List<int[]> starts = new ArrayList<>();
		List<String> names = new ArrayList<>();
		while (link.find()) {
			starts.add(new int[] {link.start(), Integer.parseInt(link.group(1))});
			names.add(link.group(2));
		}
		for (int i = 0; i < starts.size(); i++) {
			int end = i + 1 < starts.size() ? starts.get(i + 1)[0] : json.length();
			String text = json.substring(starts.get(i)[0], end);
			int xdp = text.indexOf("\"xdp\":{");
			if (xdp < 0) {
				continue;
			}
			Set<String> seen = new LinkedHashSet<>();
			Matcher program = PROGRAM.matcher(text);
			program.region(xdp, text.length());
			while (program.find()) {
				if (seen.add(program.group(1) + "/" + program.group(2))) {
					programs.add(new Program(names.get(i), starts.get(i)[1], program.group(3),
							Integer.parseInt(program.group(2)), mode(Integer.parseInt(program.group(1)))));
				}
			}
		}
		return List.copyOf(programs);
	}

	/** XDP_ATTACHED_DRV, _SKB, _HW (linux/if_link.h). */
	private static String mode(int attached) {
		return switch (attached) {
			case 1 -> "native";
			case 2 -> "generic";
			case 3 -> "offload";
			default -> "mode " + attached;
		};
	}
}

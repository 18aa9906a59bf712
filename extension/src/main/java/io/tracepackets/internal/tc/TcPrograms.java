package io.tracepackets.internal.tc;

import io.tracepackets.internal.netns.NamespaceCommand;
import io.tracepackets.internal.netns.NetworkNamespace;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The BPF programs attached as tc filters to one hook of a device, as the kernel lists them
 * ({@code tc -j filter show dev X ingress}, run inside the device's namespace): what a
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
	 * The programs of {@code device}'s tc hook, in filter order.
	 *
	 * @param direction {@code "ingress"} or {@code "egress"}
	 * @return empty when none is attached, or tc cannot list them
	 */
	public static List<Program> attached(NetworkNamespace netns, String device, String direction) {
		String listing;
		try {
			listing = NamespaceCommand.run(netns, null, "tc", "-j", "filter", "show", "dev", device, direction);
		} catch (RuntimeException e) {
			return List.of();
		}
		return parse(listing);
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

package io.tracepackets.internal.netns;

import io.tracepackets.internal.ffi.Libc;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Translates interface indexes to names, per network namespace: the kernel reports
 * {@code skb->dev->ifindex}, and index 2 is {@code eth0} in one namespace and {@code docker0} in
 * another.
 * <p>
 * Names are read with {@code if_nameindex} inside the namespace (with {@code ip -o link} run there
 * through its {@link NamespaceEntry} when this JVM cannot enter it) and cached per namespace inode; an
 * unknown index refreshes that namespace's table once, since interfaces come and go during a test.
 */
public final class InterfaceNames {

	/** A line of {@code ip -o link}: {@code "5: eth0@if6: <BROADCAST,...>"}, the name ending at '@' or ':'. */
	private static final Pattern LINK = Pattern.compile("(\\d+): ([^:@\\s]+)[@:]");

	private final Map<Long, Map<Integer, String>> byNamespace = new ConcurrentHashMap<>();

	/** The name of interface {@code ifindex} in {@code netns}, if it exists. */
	public Optional<String> name(NetworkNamespace netns, int ifindex) {
		String name = cached(netns).get(ifindex);
		// Read through a helper container, a table costs a container: read once, not at every miss.
		if (name == null && netns.entry().isEmpty()) {
			name = refresh(netns).get(ifindex);
		}
		return Optional.ofNullable(name);
	}

	/** The name of interface {@code ifindex}, or {@code "if<ifindex>"} when it is unknown. */
	public String nameOrIndex(NetworkNamespace netns, int ifindex) {
		return name(netns, ifindex).orElse("if" + ifindex);
	}

	/** Index → name of every interface in {@code netns}, read afresh. */
	public Map<Integer, String> all(NetworkNamespace netns) {
		return refresh(netns);
	}

	/** Drops what is cached for {@code netns}, e.g. when it is gone and its inode may be reused. */
	public void forget(NetworkNamespace netns) {
		byNamespace.remove(netns.inode());
	}

	private Map<Integer, String> cached(NetworkNamespace netns) {
		Map<Integer, String> names = byNamespace.get(netns.inode());
		return names != null ? names : refresh(netns);
	}

	/** Index → name from {@code ip -o link} run there, for a namespace this JVM cannot enter. */
	private static Map<Integer, String> listed(NetworkNamespace netns) {
		Map<Integer, String> names = new HashMap<>();
		try {
			for (String line : NamespaceCommand.run(netns, null, "ip", "-o", "link", "show").lines().toList()) {
				// "5: eth0@if6: <BROADCAST,...": the name ends at '@' (a veth's peer) or ':'.
				Matcher link = LINK.matcher(line);
				if (link.lookingAt()) {
					names.put(Integer.parseInt(link.group(1)), link.group(2));
				}
			}
		} catch (RuntimeException e) {
			// no ip there: the indexes stand for the names
		}
		return Map.copyOf(names);
	}

	private Map<Integer, String> refresh(NetworkNamespace netns) {
		Map<Integer, String> names = netns.entry().isPresent() ? listed(netns)
				: Map.copyOf(NetnsRunner.call(netns, Libc::interfaceNames));
		byNamespace.put(netns.inode(), names);
		return names;
	}
}

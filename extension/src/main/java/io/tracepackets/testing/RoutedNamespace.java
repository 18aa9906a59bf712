package io.tracepackets.testing;

import io.tracepackets.TracePacketsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A throwaway network namespace behind a veth to this JVM's own namespace, with its default route
 * through it: a client outside the machine, whose packets this namespace receives and forwards
 * (PREROUTING, FORWARD, Docker's DOCKER-USER chain) instead of sending them itself (OUTPUT), as a
 * client on another machine's would be. The namespace holds {@code 10.232.N.2}, its veth's end
 * in this JVM's namespace {@code 10.232.N.1} (N differs per namespace in a JVM). Close to delete
 * it, and the veth with it.
 *
 * <p>Needs root. Forwarding is this namespace's setting ({@code net.ipv4.ip_forward}, which Docker
 * turns on), left as it is: a machine that does not forward drops the client's packets, and the
 * trace says so. Named like {@link VethNamespaces}' namespaces, and deleted the same way when a
 * killed JVM leaves it.
 */
public final class RoutedNamespace implements AutoCloseable {

	private final String prefix;
	private final int subnet;

	private RoutedNamespace(String prefix, int subnet) {
		this.prefix = prefix;
		this.subnet = subnet;
	}

	/**
	 * Creates the namespace, the veth between it and this JVM's namespace, the addresses and the
	 * client's default route.
	 *
	 * @return the client's namespace, routed; close it to delete it
	 * @throws TracePacketsException when an {@code ip} command fails (not root, no iproute2); what
	 *     was made is deleted
	 */
	public static RoutedNamespace create() {
		int n = VethNamespaces.nextNumber();
		RoutedNamespace client = new RoutedNamespace(VethNamespaces.newPrefix(n), n % 250);
		try {
			VethNamespaces.ip("netns", "add", client.name());
			VethNamespaces.ip("link", "add", client.hostInterface(), "type", "veth", "peer", "name", "eth0", "netns",
					client.name());
			VethNamespaces.ip("addr", "add", client.hostAddress() + "/24", "dev", client.hostInterface());
			VethNamespaces.ip("link", "set", client.hostInterface(), "up");
			client.exec("ip", "addr", "add", client.address() + "/24", "dev", "eth0");
			client.exec("ip", "link", "set", "lo", "up");
			client.exec("ip", "link", "set", "eth0", "up");
			client.exec("ip", "route", "add", "default", "via", client.hostAddress());
			return client;
		} catch (RuntimeException e) {
			client.close();
			throw e;
		}
	}

	/**
	 * The namespace's name under {@code /run/netns}.
	 *
	 * @return e.g. {@code tp1234x5h}
	 */
	public String name() {
		return prefix + "h";
	}

	/**
	 * The namespace, for {@code trace.scope(...)} and {@code Traffic.fromNetnsPath(...)}.
	 *
	 * @return its path under {@code /run/netns}
	 */
	public Path path() {
		return Path.of("/run/netns", name());
	}

	/**
	 * The namespace's nsfs inode, as events carry it.
	 *
	 * @return the inode of its path
	 */
	public long inode() {
		try {
			return (Long) Files.getAttribute(path(), "unix:ino");
		} catch (IOException e) {
			throw new TracePacketsException("cannot stat " + path() + ": " + e.getMessage(), e);
		}
	}

	/**
	 * The client's address, {@code 10.232.N.2}.
	 *
	 * @return the address, without prefix length
	 */
	public String address() {
		return "10.232." + subnet + ".2";
	}

	/**
	 * This JVM's namespace's address on the veth, {@code 10.232.N.1}: the client's gateway.
	 *
	 * @return the address, without prefix length
	 */
	public String hostAddress() {
		return "10.232." + subnet + ".1";
	}

	/**
	 * The veth's end in this JVM's namespace ({@code <name>}, within IFNAMSIZ).
	 *
	 * @return the device's name
	 */
	public String hostInterface() {
		return name();
	}

	/**
	 * Runs a command inside the client's namespace; returns its output.
	 *
	 * @param command the program and its arguments
	 * @return what it printed
	 * @throws TracePacketsException when it exits with a non-zero status; the message holds its output
	 */
	public String exec(String... command) {
		return VethNamespaces.exec(name(), command);
	}

	/** Deletes the namespace; the veth goes with it. */
	@Override
	public void close() {
		VethNamespaces.quietly("netns", "del", name());
	}

	@Override
	public String toString() {
		return "client namespace " + name() + " (" + address() + " via " + hostAddress() + ")";
	}
}

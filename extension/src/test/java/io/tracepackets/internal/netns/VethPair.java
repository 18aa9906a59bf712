package io.tracepackets.internal.netns;

import io.tracepackets.testing.VethNamespaces;

/**
 * {@link VethNamespaces} seen as this package's {@link NetworkNamespace}s: {@code a} is the left
 * namespace, {@code b} the right one. Close to delete both.
 */
public final class VethPair implements AutoCloseable {

	private final VethNamespaces namespaces;
	private final NetworkNamespace a;
	private final NetworkNamespace b;

	private VethPair(VethNamespaces namespaces) {
		this.namespaces = namespaces;
		this.a = NetworkNamespace.ofPath(namespaces.leftPath());
		this.b = NetworkNamespace.ofPath(namespaces.rightPath());
	}

	public static VethPair create() {
		return new VethPair(VethNamespaces.create());
	}

	public NetworkNamespace a() {
		return a;
	}

	public NetworkNamespace b() {
		return b;
	}

	public String aName() {
		return namespaces.leftName();
	}

	public String bName() {
		return namespaces.rightName();
	}

	public String aInterface() {
		return namespaces.leftInterface();
	}

	public String bInterface() {
		return namespaces.rightInterface();
	}

	public String aIp() {
		return namespaces.leftAddress();
	}

	public String bIp() {
		return namespaces.rightAddress();
	}

	public String execInA(String... command) {
		return namespaces.execInLeft(command);
	}

	public String execInB(String... command) {
		return namespaces.execInRight(command);
	}

	@Override
	public void close() {
		namespaces.close();
	}
}

package io.tracepackets.internal.containers;

/**
 * Test fixture: the messages of finding a container's namespace through its engine, for tests
 * outside this package that compare them with the docs.
 */
public final class ContainerMessages {

	private ContainerMessages() {
	}

	/**
	 * Why container {@code name}'s namespace cannot be traced when its engine answers with the kernel
	 * boot id {@code engineBootId}, and this JVM runs on {@code localBootId}.
	 */
	public static String onAnotherKernel(String name, String engineBootId, String localBootId) {
		try {
			ContainerNamespaces.identify(EngineView.parse("net:[4026532001]", engineBootId, name), localBootId, name,
					4242, null);
			throw new AssertionError("a namespace on another kernel was accepted");
		} catch (io.tracepackets.TracingUnavailableException e) {
			return e.getMessage();
		}
	}
}

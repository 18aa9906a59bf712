package io.tracepackets;

/**
 * A container the test holds that is not in scope, as the extension found it when the test started:
 * an assertion on a trace with nothing in scope names these as what could be scoped.
 *
 * @param holder how the test holds it: a field of the test class or a bean of its Spring context
 * @param name the field's or the bean's name
 * @param type the container's class, simple name (e.g. {@code "GenericContainer"})
 * @param owner the class declaring the field; for a bean, the Spring context's description
 * @param namedOthers whether {@code @TracePackets(containers = ...)} names other containers (so
 *     this one is out of scope because it is not named); false when the test names none and the
 *     field is out of scope because it is not annotated {@code @Container}
 */
public record UnscopedContainer(Holder holder, String name, String type, String owner, boolean namedOthers) {

	/** How a test holds a container. */
	public enum Holder {
		/** A field of the test class or a superclass. */
		FIELD,
		/** A bean of the test's Spring application context. */
		SPRING_BEAN
	}
}

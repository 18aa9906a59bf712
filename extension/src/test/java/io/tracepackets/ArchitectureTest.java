package io.tracepackets;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.type;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import io.tracepackets.internal.containers.ContainerNamespaces;
import io.tracepackets.internal.junit.TracePacketsExtension;
import io.tracepackets.internal.netns.NetnsRunner;
import io.tracepackets.internal.pcap.PcapFilter;
import io.tracepackets.internal.netns.NetworkNamespace;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The structure the build enforces. The public API (io.tracepackets, .assertj, .traffic,
 * .testing) is closed over io.tracepackets.internal: no internal type in any public or protected
 * signature, and no dependency on internal but through three named doors — the annotation's
 * {@code @ExtendWith} binding, the traffic senders' entry into a namespace, and
 * {@code PacketFilter.pcap}'s libpcap compiler. Inside, kernel glue
 * never touches JUnit or AssertJ, and what lives per JVM never knows what lives per test.
 */
class ArchitectureTest {

	private static final String INTERNAL = "io.tracepackets.internal..";
	private static final String[] PUBLIC = { "io.tracepackets", "io.tracepackets.assertj..",
			"io.tracepackets.traffic..", "io.tracepackets.testing.." };

	private static final JavaClasses MAIN = new ClassFileImporter()
			.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
			.importPackages("io.tracepackets");

	@Test
	void public_signatures_name_no_internal_type() {
		classes().that().resideInAnyPackage(PUBLIC).and().arePublic()
				.should(exposeNoInternalType())
				.check(MAIN);
	}

	@Test
	void the_public_api_depends_on_internal_only_through_its_three_doors() {
		noClasses().that().resideInAnyPackage(PUBLIC)
				.should().dependOnClassesThat(resideInAPackage(INTERNAL).and(not(doors())))
				.because("assertions, filters, events and fixtures are plain API; only the annotation's binding,"
						+ " traffic's entry into a namespace and the pcap filter's compiler reach the implementation")
				.check(MAIN);
		noClasses().that().resideInAnyPackage(PUBLIC).and(not(type(TracePackets.class)))
				.and(not(type(PacketFilter.class)))
				.and().resideOutsideOfPackage("io.tracepackets.traffic..")
				.should().dependOnClassesThat().resideInAPackage(INTERNAL)
				.check(MAIN);
	}

	@Test
	void assertions_do_not_depend_on_the_test_engine() {
		noClasses().that().resideInAPackage("io.tracepackets.assertj..")
				.should().dependOnClassesThat().resideInAnyPackage("org.junit..", "org.opentest4j..")
				.because("skipping or failing a test is the extension's decision, not the assertion's")
				.check(MAIN);
	}

	@Test
	void kernel_glue_never_mixes_with_junit_glue() {
		noClasses().that().resideInAPackage(INTERNAL).and().resideOutsideOfPackage("io.tracepackets.internal.junit..")
				.should().dependOnClassesThat().resideInAnyPackage("org.junit..", "org.opentest4j..", "org.assertj..",
						"io.tracepackets.assertj..", "io.tracepackets.internal.junit..")
				.check(MAIN);
	}

	@Test
	void what_lives_per_jvm_knows_nothing_of_what_lives_per_test() {
		noClasses().that().resideInAPackage("io.tracepackets.internal.session..")
				.should().dependOnClassesThat().resideInAnyPackage("io.tracepackets.internal.window..",
						"io.tracepackets.internal.junit..")
				.check(MAIN);
		noClasses().that().resideInAPackage("io.tracepackets.internal.window..")
				.should().dependOnClassesThat().resideInAPackage("io.tracepackets.internal.junit..")
				.check(MAIN);
	}

	@Test
	void internal_packages_form_no_cycle() {
		slices().matching("io.tracepackets.internal.(*)..").should().beFreeOfCycles().check(MAIN);
	}

	/** The three sanctioned entries from the API into the implementation. */
	private static com.tngtech.archunit.base.DescribedPredicate<JavaClass> doors() {
		Set<String> names = Set.of(TracePacketsExtension.class.getName(), NetnsRunner.class.getName(),
				NetworkNamespace.class.getName(), ContainerNamespaces.class.getName(), PcapFilter.class.getName());
		return com.tngtech.archunit.base.DescribedPredicate.describe(
				"the extension binding, namespace entry or pcap compiler",
				javaClass -> names.contains(javaClass.getName()));
	}

	/** No public or protected field, method, constructor, supertype or type argument is internal. */
	private static ArchCondition<JavaClass> exposeNoInternalType() {
		return new ArchCondition<>("expose no internal type in a public or protected signature") {
			@Override
			public void check(JavaClass javaClass, ConditionEvents events) {
				List<String> leaks = new ArrayList<>();
				javaClass.getRawSuperclass().ifPresent(superclass -> note(leaks, "extends", superclass));
				javaClass.getRawInterfaces().forEach(i -> note(leaks, "implements", i));
				for (JavaMember member : javaClass.getMembers()) {
					if (!isVisible(member)) {
						continue;
					}
					if (member instanceof JavaField field) {
						noteAll(leaks, field.getFullName(), field.getType());
					} else if (member instanceof JavaCodeUnit code) {
						noteAll(leaks, code.getFullName() + " returns", code.getReturnType());
						code.getParameterTypes().forEach(t -> noteAll(leaks, code.getFullName() + " takes", t));
						code.getThrowsClause().getTypes().forEach(t -> note(leaks, code.getFullName() + " throws", t));
					}
				}
				leaks.forEach(leak -> events.add(SimpleConditionEvent.violated(javaClass, leak)));
			}
		};
	}

	private static boolean isVisible(JavaMember member) {
		Set<JavaModifier> modifiers = member.getModifiers();
		return modifiers.contains(JavaModifier.PUBLIC) || modifiers.contains(JavaModifier.PROTECTED);
	}

	private static void noteAll(List<String> leaks, String where, JavaType type) {
		type.getAllInvolvedRawTypes().forEach(raw -> note(leaks, where, raw));
	}

	private static void note(List<String> leaks, String where, JavaClass type) {
		if (type.getPackageName().startsWith("io.tracepackets.internal")) {
			leaks.add(where + " " + type.getName());
		}
	}
}

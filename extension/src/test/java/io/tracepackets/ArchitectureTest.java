package io.tracepackets;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.type;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import io.tracepackets.internal.containers.ContainerNamespaces;
import io.tracepackets.internal.junit.TracePacketsExtension;
import io.tracepackets.internal.netns.NamespaceEntry;
import io.tracepackets.internal.netns.NetnsRunner;
import io.tracepackets.internal.pcap.PcapFilter;
import io.tracepackets.internal.netns.NetworkNamespace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The structure the build enforces. The public API (io.tracepackets, .assertj, .traffic,
 * .testing) is closed over io.tracepackets.internal: no internal type in any public or protected
 * signature, and no dependency on internal but through three named doors — the annotation's
 * {@code @ExtendWith} binding, the entry into a namespace (the traffic senders', and
 * {@code PacketFilter.netns}'s, which finds a container's or a path's), and
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
						+ " the entry into a namespace (traffic's, the netns filter's) and the pcap filter's compiler"
						+ " reach the implementation")
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

	/**
	 * The public packages and the internal ones together: the root package, each public package
	 * (io.tracepackets.(*)..) and each internal one (io.tracepackets.internal.(*)..) is a slice, and
	 * no chain of dependencies leads from one back to itself; the rule above sees internal slices
	 * only, so a cycle through the API (such as the annotation's binding to the extension, its
	 * window, rule tracing, and back to the annotation for a property name) escapes it. Two things
	 * are not cycles of design: {@code @TracePackets} belongs to the JUnit glue's slice, since its
	 * {@code @ExtendWith} names the extension that reads it (a registration, as in every JUnit
	 * extension's annotation); and {@code PacketFilter.pcap} compiling with the internal libpcap
	 * compiler and {@code PacketFilter.netns} finding a container's or a path's namespace, which
	 * report errors with the API's exceptions, are two of the three doors above.
	 */
	@Test
	void public_and_internal_packages_form_no_cycle() {
		slices().assignedFrom(PACKAGES).should().beFreeOfCycles()
				.ignoreDependency(PacketFilter.class, PcapFilter.class)
				.ignoreDependency(PacketFilter.class, NetworkNamespace.class)
				.ignoreDependency(PacketFilter.class, ContainerNamespaces.class)
				.check(MAIN);
	}

	/**
	 * One package owns what a drop means and who made it (issue 18): {@code internal.drops} alone
	 * classifies a drop, gives an event its culprit, and names a tc or XDP program as one; netfilter
	 * hands it the rules its trace and counters name, and the kernel listings of tc and XDP
	 * programs know nothing of events.
	 */
	@Test
	void drop_facts_live_in_the_drop_package() {
		String drops = "io.tracepackets.internal.drops..";
		noClasses().that().resideOutsideOfPackage(drops)
				.should().callConstructorWhere(constructorOf(io.tracepackets.internal.drops.Classification.class))
				.because("what a drop meant, XDP verdicts included, is the drop tables' word")
				.check(MAIN);
		noClasses().that().resideOutsideOfPackage(drops)
				.should().callMethodWhere(DescribedPredicate.describe("EventCopies.withCulprit",
						call -> call.getTargetOwner().isEquivalentTo(io.tracepackets.internal.drops.EventCopies.class)
								&& call.getName().equals("withCulprit")))
				.because("the drop attribution alone gives a drop its culprit")
				.check(MAIN);
		noClasses().that().resideOutsideOfPackage(drops)
				.should().callMethodWhere(DescribedPredicate.describe("EventRecord.with",
						call -> call.getTargetOwner().isEquivalentTo(io.tracepackets.internal.record.EventRecord.class)
								&& call.getName().equals("with")))
				.because("the drop attribution alone gives a drop its culprit, through EventCopies")
				.check(MAIN);
		noClasses().that().resideInAPackage(INTERNAL).and().resideOutsideOfPackage(drops)
				.should().callConstructorWhere(constructorOf(DropCulprit.BpfProgram.class))
				.because("a tc or XDP program is named as a culprit by the drop attribution only")
				.check(MAIN);
		noClasses().that().resideInAPackage(INTERNAL).and().resideOutsideOfPackage("io.tracepackets.internal.netfilter..")
				.should().callConstructorWhere(constructorOf(DropCulprit.NetfilterRule.class))
				.because("netfilter's trace and counters name the rule; the drop attribution takes it from there")
				.check(MAIN);
		noClasses().that().resideInAnyPackage("io.tracepackets.internal.tc..", "io.tracepackets.internal.xdp..")
				.should().dependOnClassesThat(type(PacketEvent.class).or(resideInAPackage(drops)))
				.because("they list the programs attached in the kernel; which drop is whose is decided in "
						+ drops)
				.check(MAIN);
	}

	private static DescribedPredicate<com.tngtech.archunit.core.domain.JavaConstructorCall> constructorOf(
			Class<?> type) {
		return DescribedPredicate.describe("a constructor of " + type.getSimpleName(),
				call -> call.getTargetOwner().isEquivalentTo(type));
	}

	/**
	 * Nothing below the JUnit glue names {@code @TracePackets}, not even for a property name's
	 * constant: javac copies a constant into the class that uses it, so the classes the rules above
	 * check carry no trace of it, and the sources are read instead. The values the annotation's
	 * settings resolve to reach the parts as parameters (TraceSettings).
	 */
	@Test
	void nothing_below_the_junit_glue_names_the_annotation() throws IOException {
		Path internal = Path.of("src/main/java/io/tracepackets/internal");
		Pattern names = Pattern.compile("^import (static )?io\\.tracepackets\\.TracePackets\\b"
				+ "|\\bTracePackets\\.[A-Z][A-Z_]*_PROPERTY\\b", Pattern.MULTILINE);
		List<String> naming = new ArrayList<>();
		try (Stream<Path> files = Files.walk(internal)) {
			for (Path file : files.filter(f -> f.toString().endsWith(".java"))
					.filter(f -> !f.startsWith(internal.resolve("junit"))).toList()) {
				Matcher found = names.matcher(Files.readString(file));
				while (found.find()) {
					naming.add(internal.relativize(file) + ": " + found.group());
				}
			}
		}
		assertThat(naming).as("sources under %s naming @TracePackets", internal).isEmpty();
	}

	/**
	 * Settings are read in one place, the JUnit glue's resolver (TraceSettings), which hands every
	 * part the values it needs; no other class reads a system property or the environment. The
	 * exceptions: {@code os.name}, which KernelCapabilities reads to say which OS cannot trace, a fact
	 * of the JVM, not a setting; and {@code user.home} and {@code XDG_CACHE_HOME}, which BootCache
	 * reads to find the user's cache directory, facts of the account, not settings.
	 */
	@Test
	void only_the_settings_resolver_reads_system_properties_or_the_environment() {
		noClasses().that().doNotHaveFullyQualifiedName(SETTINGS_RESOLVER)
				.and().doNotHaveFullyQualifiedName(SETTINGS_RESOLVER + "$Sources")
				.and().doNotHaveFullyQualifiedName("io.tracepackets.internal.session.KernelCapabilities")
				.and().doNotHaveFullyQualifiedName("io.tracepackets.internal.bootcache.BootCache")
				.should().callMethodWhere(readsSystemPropertiesOrEnvironment())
				.because("settings are resolved once, with one precedence, by the JUnit glue (issue 18)")
				.check(MAIN);
		noClasses().that().haveFullyQualifiedName("io.tracepackets.internal.session.KernelCapabilities")
				.should().callMethodWhere(readsEnvironmentOrEverySystemProperty())
				.because("it reads os.name, a fact of the JVM, and nothing else")
				.check(MAIN);
	}

	/**
	 * Failure texts are composed in {@code assertj.error} alone, from data (issue 18): the trace
	 * renders nothing and words nothing, so no method of {@link PacketTrace}, {@link PacketPath}
	 * or {@link Journey} returns a {@code String} but {@code toString}; and the assertions hand the
	 * pwru-style rendering to their message factories rather than calling it themselves.
	 */
	@Test
	void failure_texts_are_composed_in_assertj_error_from_the_traces_data() {
		List<String> composing = new ArrayList<>();
		for (Class<?> type : List.of(PacketTrace.class, PacketPath.class, Journey.class)) {
			MAIN.get(type).getMethods().stream()
					.filter(method -> method.getRawReturnType().isEquivalentTo(String.class))
					.filter(method -> !method.getName().equals("toString") || !method.getRawParameterTypes().isEmpty())
					.forEach(method -> composing.add(method.getFullName()));
		}
		assertThat(composing).as("methods of the trace's data that return text").isEmpty();
		noClasses().that().resideOutsideOfPackage("io.tracepackets.assertj.error..")
				.should().dependOnClassesThat().haveFullyQualifiedName(io.tracepackets.assertj.error.PwruFormat.class
						.getName())
				.because("the rendering is the failure messages' (and, in the cli module, the command line's)")
				.check(MAIN);
	}

	/**
	 * The event a test reads is an interface of accessors; the positional record behind it, with the
	 * kernel record's layout, is internal (issue 18): the decoder builds it, the record copies
	 * itself, and nothing else calls its constructors.
	 */
	@Test
	void only_the_decoder_builds_events() {
		assertThat(PacketEvent.class.isInterface()).as("PacketEvent is an interface, without constructors").isTrue();
		noClasses().that().resideOutsideOfPackages("io.tracepackets.internal.event..",
				"io.tracepackets.internal.record..")
				.should().callConstructorWhere(constructorOf(io.tracepackets.internal.record.EventRecord.class))
				.because("events come from the kernel's records, decoded once; later facts are copies")
				.check(MAIN);
	}

	private static final String SETTINGS_RESOLVER = "io.tracepackets.internal.junit.TraceSettings";

	/** Slices: the root package, each public package, each internal package. */
	private static final SliceAssignment PACKAGES = new SliceAssignment() {
		@Override
		public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
			String name = javaClass.getPackageName();
			if (javaClass.isEquivalentTo(TracePackets.class)
					|| javaClass.getName().startsWith(TracePackets.class.getName() + "$")) {
				// the annotation and the extension it registers are one piece of JUnit glue
				return SliceIdentifier.of("io.tracepackets.internal.junit");
			}
			if (name.equals("io.tracepackets")) {
				return SliceIdentifier.of("io.tracepackets");
			}
			String[] parts = name.split("\\.");
			if (parts.length < 3 || !parts[0].equals("io") || !parts[1].equals("tracepackets")) {
				return SliceIdentifier.ignore();
			}
			if (parts[2].equals("internal")) {
				return parts.length < 4 ? SliceIdentifier.of("io.tracepackets.internal")
						: SliceIdentifier.of("io.tracepackets.internal." + parts[3]);
			}
			return SliceIdentifier.of("io.tracepackets." + parts[2]);
		}

		@Override
		public String getDescription() {
			return "io.tracepackets (@TracePackets with the JUnit glue), io.tracepackets.(*).. and"
					+ " io.tracepackets.internal.(*)..";
		}
	};

	/** System.getProperty/getProperties/getenv, and the boxes' getters that read system properties. */
	private static DescribedPredicate<JavaMethodCall> readsSystemPropertiesOrEnvironment() {
		return DescribedPredicate.describe("System.getProperty/getProperties/getenv, Boolean.getBoolean,"
				+ " Integer.getInteger or Long.getLong", call -> {
					String owner = call.getTargetOwner().getName();
					String method = call.getName();
					return owner.equals(System.class.getName()) && Set.of("getProperty", "getProperties", "getenv")
							.contains(method)
							|| owner.equals(Boolean.class.getName()) && method.equals("getBoolean")
							|| owner.equals(Integer.class.getName()) && method.equals("getInteger")
							|| owner.equals(Long.class.getName()) && method.equals("getLong");
				});
	}

	/** Any read of the settings but System.getProperty itself. */
	private static DescribedPredicate<JavaMethodCall> readsEnvironmentOrEverySystemProperty() {
		return DescribedPredicate.describe("a read of the environment or of a setting", call -> {
			String owner = call.getTargetOwner().getName();
			return readsSystemPropertiesOrEnvironment().test(call)
					&& !(owner.equals(System.class.getName()) && call.getName().equals("getProperty"));
		});
	}

	/** The three sanctioned entries from the API into the implementation. */
	private static com.tngtech.archunit.base.DescribedPredicate<JavaClass> doors() {
		Set<String> names = Set.of(TracePacketsExtension.class.getName(), NetnsRunner.class.getName(),
				NetworkNamespace.class.getName(), NamespaceEntry.class.getName(), ContainerNamespaces.class.getName(),
				PcapFilter.class.getName());
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

package io.tracepackets.cli;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The command line reaches the engine through one door, {@code io.tracepackets.internal.live}
 * (LiveTrace), and writes with the evidence formats of the extension's artifacts and the pwru
 * format of its failure messages (public, in {@code io.tracepackets.assertj.error}); no other
 * internal package, so the engine's insides can change under it.
 */
class CliArchitectureTest {

	private static final JavaClasses CLI = new ClassFileImporter().withImportOption(
			ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.tracepackets.cli");

	@Test
	void should_use_the_engine_only_through_its_door_and_the_output_formats() {
		noClasses().that().resideInAPackage("io.tracepackets.cli..").should().dependOnClassesThat(
				resideInAPackage("io.tracepackets.internal..").and(not(resideInAnyPackage(
						"io.tracepackets.internal.live..", "io.tracepackets.internal.evidence.."))))
				.because("the cli module reaches the engine through io.tracepackets.internal.live only")
				.check(CLI);
	}

	/**
	 * The command line's settings are its arguments (CliOptions): it reads no system property and no
	 * environment variable, so a run does what its command line says, as the extension's tests do
	 * what their resolved settings say.
	 */
	@Test
	void should_take_its_settings_from_its_arguments_only() {
		noClasses().that().resideInAPackage("io.tracepackets.cli..").should().callMethodWhere(describe(
				"System.getProperty/getProperties/getenv, Boolean.getBoolean, Integer.getInteger or Long.getLong",
				call -> {
					String owner = call.getTargetOwner().getName();
					String method = call.getName();
					return owner.equals(System.class.getName())
							&& Set.of("getProperty", "getProperties", "getenv").contains(method)
							|| owner.equals(Boolean.class.getName()) && method.equals("getBoolean")
							|| owner.equals(Integer.class.getName()) && method.equals("getInteger")
							|| owner.equals(Long.class.getName()) && method.equals("getLong");
				}))
				.check(CLI);
	}
}

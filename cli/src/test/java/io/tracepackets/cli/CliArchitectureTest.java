package io.tracepackets.cli;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The command line reaches the engine through one door, {@code io.tracepackets.internal.live}
 * (LiveTrace), and writes with the evidence and pwru formats the extension's failure messages
 * and artifacts use; no other internal package, so the engine's insides can change under it.
 */
class CliArchitectureTest {

	private static final JavaClasses CLI = new ClassFileImporter().withImportOption(
			ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.tracepackets.cli");

	@Test
	void should_use_the_engine_only_through_its_door_and_the_output_formats() {
		noClasses().that().resideInAPackage("io.tracepackets.cli..").should().dependOnClassesThat(
				resideInAPackage("io.tracepackets.internal..").and(not(resideInAnyPackage(
						"io.tracepackets.internal.live..", "io.tracepackets.internal.evidence..",
						"io.tracepackets.internal.event.."))))
				.because("the cli module reaches the engine through io.tracepackets.internal.live only")
				.check(CLI);
	}
}

package io.tracepackets.samples;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.Test;

/**
 * The samples are written as a user writes tests: from the public API alone. (The container
 * fixture's own tests, in .support, check the library's container plumbing and may look inside.)
 */
class SamplesUsePublicApiTest {

	@Test
	void samples_import_nothing_internal() {
		noClasses().that().resideInAPackage("io.tracepackets.samples..")
				.and().resideOutsideOfPackage("io.tracepackets.samples.support..")
				.should().dependOnClassesThat().resideInAPackage("io.tracepackets.internal..")
				.check(new ClassFileImporter().importPackages("io.tracepackets.samples"));
	}
}

package io.tracepackets.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class LossReportTest {

	private static final long SECOND = LossReport.INTERVAL_NANOS;

	@Test
	void should_say_the_first_loss_at_once_with_how_many_and_the_total() {
		LossReport report = new LossReport();

		assertThat(report.update(0, 0)).as("nothing lost, nothing said").isEmpty();
		assertThat(report.update(120, 5)).contains("tracepackets: ring buffer or store full, lost 120 events (120 so"
				+ " far); the counts at exit include them");
	}

	@Test
	void should_say_losses_at_most_once_a_second_each_line_counting_since_the_previous() {
		// GIVEN a first loss said at t=0
		LossReport report = new LossReport();
		assertThat(report.update(10, 0)).isPresent();

		// WHEN more is lost on every read within the next second
		Optional<String> early = report.update(30, SECOND / 2);
		Optional<String> justBefore = report.update(45, SECOND - 1);
		Optional<String> aSecondLater = report.update(50, SECOND);

		// THEN nothing until a second passed, then everything lost since the first line
		assertThat(early).isEmpty();
		assertThat(justBefore).isEmpty();
		assertThat(aSecondLater).contains("tracepackets: ring buffer or store full, lost 40 events (50 so far); the"
				+ " counts at exit include them");
	}

	@Test
	void should_say_nothing_while_nothing_more_is_lost() {
		LossReport report = new LossReport();
		assertThat(report.update(7, 0)).isPresent();

		assertThat(report.update(7, 5 * SECOND)).isEmpty();
		assertThat(report.update(8, 6 * SECOND)).contains("tracepackets: ring buffer or store full, lost 1 events (8 so"
				+ " far); the counts at exit include them");
	}
}

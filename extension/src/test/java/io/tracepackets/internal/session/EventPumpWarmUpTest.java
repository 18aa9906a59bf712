package io.tracepackets.internal.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.internal.event.EventLayout;
import org.junit.jupiter.api.Test;

class EventPumpWarmUpTest {

	@Test
	void the_warm_up_stores_every_made_up_record_not_discarded_of_every_lap_with_and_without_packet_bytes() {
		// GIVEN the made-up ring: per 8 records seven of 128 bytes and one of 192 (the NAT trailer's room), one
		// record in 64 discarded, filling 1 MiB less a header
		int records = 0;
		int discarded = 0;
		for (long at = 0; at + (records % 8 == 7 ? 192 : 128) + 8 <= 1 << 20; at += records % 8 == 7 ? 192 : 128) {
			if (records % 64 == 63) {
				discarded++;
			}
			records++;
		}

		// THEN each of the 8 laps stores every record not discarded, the one still being written included
		assertThat(EventPump.warmUp(EventLayout.recordSize(0))).isEqualTo(8L * (records - discarded));
		assertThat(EventPump.warmUp(EventLayout.recordSize(128))).isEqualTo(8L * (records - discarded));
	}
}

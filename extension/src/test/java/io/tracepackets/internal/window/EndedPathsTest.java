package io.tracepackets.internal.window;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EndedPathsTest {

	private record Ended(int position, long journey, int free, int cpu, long nanos) {
	}

	@Test
	void keeps_the_last_path_ended_at_each_address_through_its_growth() {
		EndedPaths ended = new EndedPaths();
		Map<Long, Ended> expected = new HashMap<>();
		SplittableRandom random = new SplittableRandom(11);
		for (int i = 0; i < 200_000; i++) {
			// skb addresses, and now and then 0 (an event without one)
			long skb = random.nextInt(500) == 0 ? 0 : 0xffff888004a00000L + random.nextInt(60_000) * 256L;
			Ended path = new Ended(i, random.nextLong(), i * 3, random.nextInt(64), random.nextLong());
			ended.put(skb, path.position(), path.journey(), path.free(), path.cpu(), path.nanos());
			expected.put(skb, path);
		}

		expected.forEach((skb, path) -> {
			int slot = ended.find(skb);
			assertThat(slot).isNotNegative();
			assertThat(new Ended(ended.position(slot), ended.kernelJourney(slot), ended.free(slot), ended.cpu(slot),
					ended.freedAtNanos(slot))).isEqualTo(path);
		});
		assertThat(ended.find(0xffff888004a00000L + 60_001 * 256L)).isEqualTo(-1);
	}
}

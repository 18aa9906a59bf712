package io.tracepackets.internal.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LongMapTest {

	@Test
	void answers_as_a_hash_map_does_through_its_growth() {
		LongMap map = new LongMap();
		Map<Long, Long> expected = new HashMap<>();
		SplittableRandom random = new SplittableRandom(42);
		for (int i = 0; i < 200_000; i++) {
			// half of them small and clustered, as made-up and test ids can be, half hashes
			long key = i % 2 == 0 ? 1 + random.nextInt(50_000) : random.nextLong() | 1;
			if (random.nextBoolean()) {
				map.put(key, i);
				expected.put(key, (long) i);
			} else {
				assertThat(map.putIfAbsentItself(key)).isEqualTo(expected.computeIfAbsent(key, k -> k));
			}
		}
		assertThat(map.size()).isEqualTo(expected.size());
		expected.forEach((key, value) -> assertThat(map.get(key, -1)).isEqualTo(value));
		assertThat(map.containsKey(0)).isFalse();
		assertThat(map.get(0, -1)).isEqualTo(-1);
		assertThat(map.containsKey(-2)).isEqualTo(expected.containsKey(-2L));
	}

	@Test
	void refuses_zero_as_a_key() {
		assertThatIllegalArgumentException().isThrownBy(() -> new LongMap().put(0, 1));
	}
}

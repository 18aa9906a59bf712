package io.tracepackets.internal.window;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LongKeyedMapTest {

	@Test
	void answers_as_a_hash_map_does_while_keys_come_and_go() {
		LongKeyedMap<String> map = new LongKeyedMap<>();
		Map<Long, String> expected = new HashMap<>();
		SplittableRandom random = new SplittableRandom(7);
		for (int i = 0; i < 300_000; i++) {
			// skb addresses: aligned, from a few pages, so runs of colliding slots form and are cut
			// and now and then address 0, which an event without an skb has
			long key = random.nextInt(1000) == 0 ? 0 : 0xffff888004a00000L + random.nextInt(20_000) * 256L;
			switch (random.nextInt(3)) {
				case 0 -> assertThat(map.put(key, "v" + i)).isEqualTo(expected.put(key, "v" + i));
				case 1 -> assertThat(map.remove(key)).isEqualTo(expected.remove(key));
				default -> assertThat(map.get(key)).isEqualTo(expected.get(key));
			}
		}
		assertThat(map.size()).isEqualTo(expected.size());
		expected.forEach((key, value) -> assertThat(map.get(key)).isEqualTo(value));
		for (Long key : expected.keySet()) {
			assertThat(map.remove(key)).isEqualTo(expected.get(key));
		}
		assertThat(map.size()).isZero();
		assertThat(map.get(0)).isNull();
		assertThat(map.remove(0)).isNull();
	}
}

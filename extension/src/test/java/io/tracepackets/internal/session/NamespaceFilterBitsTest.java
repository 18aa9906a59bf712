package io.tracepackets.internal.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.internal.event.EventLayout;
import java.util.List;
import org.junit.jupiter.api.Test;

class NamespaceFilterBitsTest {

	@Test
	void each_scoped_inode_sets_the_bit_of_its_remainder_by_32() {
		// GIVEN inodes as the kernel numbers namespaces (from 0xF0000000 up), two of them 32 apart
		List<Long> inodes = List.of(0xF0000098L, 0xF00000B8L, 0xF00000C3L, 0xEFFFFFFFL);

		// THEN one bit each, the two 32 apart sharing theirs: 0x98 % 32 = 24, 0xC3 % 32 = 3, 0xEFFFFFFF % 32 = 31
		assertThat(NamespaceFilter.bitsOf(inodes)).isEqualTo(1 << 24 | 1 << 3 | 1 << 31);
		assertThat(NamespaceFilter.bitsOf(List.of())).isZero();
	}

	@Test
	void no_bit_is_set_while_off_and_every_bit_while_every_namespace_is_traced() {
		// GIVEN one inode a lease would scope
		List<Long> inodes = List.of(0xF0000098L);

		// THEN the probes' first test refuses every packet while off, passes every one under all
		assertThat(NamespaceFilter.bitsFor(EventLayout.MODE_OFF, inodes)).isZero();
		assertThat(NamespaceFilter.bitsFor(EventLayout.MODE_ALL, List.of())).isEqualTo(-1);
		assertThat(NamespaceFilter.bitsFor(EventLayout.MODE_NETNS, inodes)).isEqualTo(1 << 24);
	}
}

package io.tracepackets.internal.pcap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tracepackets.TracePacketsException;
import org.junit.jupiter.api.Test;

class PcapFilterTest {

	@Test
	void compilesBothViewsLikeTcpdump() {
		PcapFilter filter = PcapFilter.compile("tcp port 8080");
		// tcpdump -d 'tcp port 8080' starts with "ldh [12]" (EtherType) on Ethernet, "ldb [0]" on raw IP
		assertThat(filter.ethernet().getFirst()).isEqualTo(new CbpfInstruction(0x28, 0, 0, 12));
		assertThat(filter.rawIp().getFirst()).isEqualTo(new CbpfInstruction(0x30, 0, 0, 0));
		assertThat(filter.rawIpNote()).isNull();
	}

	@Test
	void aBadExpressionFailsWithLibpcapsMessageAndTheExpression() {
		assertThatThrownBy(() -> PcapFilter.compile("tcp prot 8080")).isInstanceOf(TracePacketsException.class)
				.hasMessageContaining("pcap filter \"tcp prot 8080\" does not compile: can't parse filter expression: syntax error")
				.hasMessageContaining("man 7 pcap-filter");
		assertThatThrownBy(() -> PcapFilter.compile("host 300.1.1.1")).isInstanceOf(TracePacketsException.class)
				.hasMessageContaining("\"host 300.1.1.1\"");
	}

	@Test
	void linkLayerOnlyExpressionsMatchNothingWithoutALinkLayer() {
		PcapFilter filter = PcapFilter.compile("ether host 02:00:00:00:00:01");
		assertThat(filter.rawIpNote()).isNotBlank();
		byte[] ip = Packets.ipv4(6, Packets.address(10, 0, 0, 1), Packets.address(10, 0, 0, 2),
				Packets.tcp(1, 2, Packets.SYN, 0), 0, 0);
		assertThat(filter.matches(ip, ip.length, false)).isFalse();
	}
}

package io.tracepackets.samples.spring;

import static io.tracepackets.DropReason.NETFILTER_DROP;
import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.PacketTrace;
import io.tracepackets.TracePackets;
import io.tracepackets.TracedNamespace;
import io.tracepackets.testing.NetboxContainer;
import io.tracepackets.traffic.Traffic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.TestConstructor;

/**
 * A container declared the way Spring Boot recommends, as a bean of a {@code @TestConfiguration}
 * (Spring Boot starts it), is scoped by {@code @TracePackets} without a word, labelled by its
 * bean name; the trace comes in through the constructor beside the bean, under
 * {@code @TestConstructor(autowireMode = ALL)}.
 */
@SpringBootTest
@TracePackets
@TestConstructor(autowireMode = TestConstructor.AutowireMode.ALL)
class ContainerBeanDropTest {

	@TestConfiguration(proxyBeanMethods = false)
	static class Containers {

		@Bean
		NetboxContainer netbox() {
			return new NetboxContainer();
		}
	}

	private final NetboxContainer netbox;
	private final PacketTrace trace;

	ContainerBeanDropTest(NetboxContainer netbox, PacketTrace trace) {
		this.netbox = netbox;
		this.trace = trace;
	}

	// springBeanRuleCleanup {
	@AfterEach
	void removeRules() {
		// The context, and the container with it, is cached for every test class that shares it:
		// a rule left behind would drop the next test's packets.
		netbox.iptables("-F", "INPUT");
	}
	// }

	// springBeanDrop {
	@Test
	void a_drop_rule_in_a_container_bean_drops_exactly_those_packets() {
		// GIVEN a DROP rule for UDP 9000 in the container bean
		netbox.iptables("-A", "INPUT", "-p", "udp", "--dport", "9000", "-j", "DROP");

		// WHEN
		Traffic.udp().to(netbox.ipAddress(), 9000).send(3);
		Traffic.udp().to(netbox.ipAddress(), 9001).send(3);

		// THEN the bean was in scope without being named, and the drop names the rule
		assertThat(trace).packets(udp().dst(netbox.ipAddress()).dstPort(9000))
				.hasCount(3)
				.wereDropped()
				.withReason(NETFILTER_DROP)
				.byRule("-p udp --dport 9000 -j DROP");
		assertThat(trace).packets(udp().dst(netbox.ipAddress()).dstPort(9001)).hasCount(3).wereNotDropped()
				.wereDelivered();
		assertThat(trace.namespaces()).extracting(TracedNamespace::label)
				.singleElement().asString().startsWith("bean netbox, container ");
	}
	// }

	@Test
	void the_trace_injected_in_the_constructor_is_each_tests_own() {
		// WHEN nothing is sent in this test
		// THEN the datagrams of the other test are not in this one's trace
		assertThat(trace).packets(udp().dst(netbox.ipAddress()).dstPort(9000)).areNone();
		assertThat(trace).packets(udp().dst(netbox.ipAddress()).dstPort(9001)).areNone();
	}
}

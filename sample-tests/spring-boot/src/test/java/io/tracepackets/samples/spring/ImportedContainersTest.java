package io.tracepackets.samples.spring;

import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.PacketTrace;
import io.tracepackets.TracePackets;
import io.tracepackets.TracedNamespace;
import io.tracepackets.testing.NetboxContainer;
import io.tracepackets.traffic.Traffic;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.testcontainers.context.ImportTestcontainers;
import org.testcontainers.junit.jupiter.Container;

/**
 * Containers declared as fields of an interface that the test imports with
 * {@code @ImportTestcontainers}: Spring Boot starts them and registers them as beans; the trace
 * selects one by its field name.
 */
@SpringBootTest
@ImportTestcontainers(ImportedContainersTest.Boxes.class)
@TracePackets(containers = "server")
class ImportedContainersTest {

	interface Boxes {

		@Container
		NetboxContainer server = new NetboxContainer();

		@Container
		NetboxContainer bystander = new NetboxContainer();
	}

	@Test
	void a_container_imported_by_field_is_selected_by_its_name(PacketTrace trace) {
		// GIVEN a DROP rule for UDP 9000 in the server
		Boxes.server.iptables("-A", "INPUT", "-p", "udp", "--dport", "9000", "-j", "DROP");
		try {
			// WHEN datagrams go to both containers
			Traffic.udp().to(Boxes.server.ipAddress(), 9000).send(2);
			Traffic.udp().to(Boxes.bystander.ipAddress(), 9000).send(2);

			// THEN only the server's namespace is traced, and the datagrams to it were dropped by its rule
			// (the bridge may flood the first datagrams to the bystander, whose address it has not
			// learnt yet, into the server too: those are filtered out by their destination)
			assertThat(trace).packets(udp().dst(Boxes.server.ipAddress()).dstPort(9000))
					.hasCount(2)
					.wereDropped()
					.byRule("-p udp --dport 9000 -j DROP");
			assertThat(trace.namespaces()).extracting(TracedNamespace::label)
					.singleElement().asString().startsWith("bean server, container ");
		} finally {
			Boxes.server.iptables("-F", "INPUT");
		}
	}
}

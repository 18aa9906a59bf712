package io.tracepackets.samples;

import static io.tracepackets.PacketFilter.tcp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.Journey;
import io.tracepackets.KernelTest;
import io.tracepackets.PacketEvent;
import io.tracepackets.PacketTrace;
import io.tracepackets.TcpFlag;
import io.tracepackets.TracePackets;
import io.tracepackets.assertj.error.PwruFormat;
import io.tracepackets.samples.support.NetboxContainer;
import io.tracepackets.testing.RoutedNamespace;
import io.tracepackets.traffic.ExchangeResult;
import io.tracepackets.traffic.Traffic;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * Docker's own rules, in the host's namespace: an operator's DOCKER-USER rule in front of a
 * published port, for a client outside the machine (a namespace routed through the host, so its
 * packets are forwarded, as another machine's are, and meet DOCKER-USER after Docker's DNAT).
 */
@KernelTest
@Testcontainers
@TracePackets
class DockerRulesTest {

	@Container
	NetboxContainer netbox = new NetboxContainer().withExposedPorts(NetboxContainer.HTTP_PORT);

	RoutedNamespace client;
	final List<List<String>> rulesToDelete = new ArrayList<>();

	@BeforeEach
	void clientOutsideTheMachine() {
		client = RoutedNamespace.create();
	}

	@AfterEach
	void deleteRulesAndClient() throws Exception {
		for (List<String> rule : rulesToDelete) {
			iptables(rule.toArray(String[]::new));
		}
		client.close();
	}

	// dockerUserRule {
	@Test
	void a_docker_user_rule_blocks_a_published_port_and_is_named(PacketTrace trace) throws Exception {
		// GIVEN the host's namespace and the client's in scope, and the operator's rule in DOCKER-USER:
		// nothing from the client to the published port (matched as Docker documents it, by the
		// destination port before DNAT, since DOCKER-USER sees packets after it)
		trace.scopeHostNetwork().scope(client.path());
		int publishedPort = netbox.getMappedPort(NetboxContainer.HTTP_PORT);
		insertRule("DOCKER-USER", "-s", client.address(), "-p", "tcp", "-m", "conntrack", "--ctorigdstport",
				Integer.toString(publishedPort), "--ctdir", "ORIGINAL", "-j", "DROP");

		// WHEN the client connects to the host's address and the published port
		ExchangeResult attempt = Traffic.fromNetnsPath(client.path()).tcp().timeout(Duration.ofSeconds(2))
				.to(client.hostAddress(), publishedPort).connect();

		// THEN the connection failed: its SYNs, found by where they were sent, were DNATed to the
		// container and dropped in the host's FORWARD path by that rule
		assertThat(attempt.isTimedOut()).as("%s", attempt).isTrue();
		assertThat(trace).packets(tcp().dst(client.hostAddress()).dstPort(publishedPort))
				.wereDropped()
				.byRule("-s " + client.address() + " -p tcp -m conntrack --ctorigdstport " + publishedPort
						+ " --ctdir ORIGINAL -j DROP")
				.inChain("filter", "DOCKER-USER");
		System.out.println(PwruFormat.render(trace, trace.packets(tcp().dst(client.hostAddress()).dstPort(publishedPort))
				.subList(0, 1)));
	}
	// }

	@Test
	void without_the_rule_the_client_reaches_the_container_through_docker_s_dnat(PacketTrace trace) {
		// GIVEN
		trace.scopeHostNetwork().scope(client.path());
		int publishedPort = netbox.getMappedPort(NetboxContainer.HTTP_PORT);

		// WHEN
		ExchangeResult attempt = Traffic.fromNetnsPath(client.path()).tcp().timeout(Duration.ofSeconds(5))
				.to(client.hostAddress(), publishedPort).connect();

		// THEN the SYN was forwarded, translated to the container's address and port, and reached its
		// listening socket (docker0 may also flood a copy to other ports while it has not learnt the
		// container's MAC: that copy is a journey of its own)
		assertThat(attempt.isCompleted()).as("%s", attempt).isTrue();
		List<Journey> syns = trace.journeys().stream()
				.filter(tcp().dst(client.hostAddress()).dstPort(publishedPort).tcpFlags(TcpFlag.SYN)::matches).toList();
		assertThat(syns).as(PwruFormat.render(trace, syns.stream().flatMap(j -> j.paths().stream()).toList()))
				.anySatisfy(journey -> {
					assertThat(journey.translations()).anyMatch(change -> change.toString().startsWith(
							client.hostAddress() + ":" + publishedPort + " → " + netbox.ipAddress() + ":"
									+ NetboxContainer.HTTP_PORT));
					assertThat(journey.reached(PacketEvent.SOCKET_RECEIVE)).isTrue();
				});
		assertThat(trace).packets(tcp().dst(client.hostAddress()).dstPort(publishedPort)).wereNotDropped();
	}

	private void insertRule(String chain, String... match) throws Exception {
		List<String> insert = new ArrayList<>(List.of("-I", chain));
		insert.addAll(List.of(match));
		iptables(insert.toArray(String[]::new));
		List<String> delete = new ArrayList<>(List.of("-D", chain));
		delete.addAll(List.of(match));
		rulesToDelete.add(delete);
	}

	/** iptables in the host's namespace, as Docker's own rules are (iptables-nft or legacy, as installed). */
	private static void iptables(String... args) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(List.of("iptables", "-w"));
		command.addAll(List.of(args));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		if (process.waitFor() != 0) {
			throw new IOException(String.join(" ", command) + " failed: " + output);
		}
	}
}

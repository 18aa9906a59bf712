package io.tracepackets.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.tracepackets.KernelTest;
import io.tracepackets.internal.netns.NetnsRunner;
import io.tracepackets.internal.netns.NetworkNamespace;
import io.tracepackets.internal.netns.TcpEchoServer;
import io.tracepackets.internal.netns.VethPairTest;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Sends real traffic between two namespaces joined by a veth pair; receivers are plain JDK sockets
 * created inside namespace b (through NetnsRunner), senders are the netty code under test in a.
 */
@KernelTest
class TrafficTest extends VethPairTest {

	@Test
	void udpDatagramsFromOneNamespaceReachTheOther() throws IOException {
		try (DatagramChannel receiver = udpReceiverIn(pair.b(), pair.bIp())) {
			int port = ((InetSocketAddress) receiver.getLocalAddress()).getPort();

			int sent = Traffic.fromNetnsPath(pair.a().path()).udp().to(pair.bIp(), port).send(5);

			assertThat(sent).isEqualTo(5);
			assertThat(receive(receiver, 5)).containsExactly("tracepackets 0\n", "tracepackets 1\n",
					"tracepackets 2\n", "tracepackets 3\n", "tracepackets 4\n");
		}
	}

	@Test
	void udpPayloadAndSourcePortAreConfigurable() throws IOException {
		try (DatagramChannel receiver = udpReceiverIn(pair.b(), pair.bIp())) {
			int port = ((InetSocketAddress) receiver.getLocalAddress()).getPort();

			boolean sent = Traffic.fromNetnsPath(Path.of("/run/netns", pair.aName())).udp()
					.to(pair.bIp(), port).payload("hello").fromPort(40123).send();

			assertThat(sent).isTrue();
			ByteBuffer buffer = ByteBuffer.allocate(100);
			InetSocketAddress from = (InetSocketAddress) receiver.receive(buffer);
			assertThat(from.getPort()).isEqualTo(40123);
			assertThat(from.getAddress().getHostAddress()).isEqualTo(pair.aIp());
			assertThat(new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8)).isEqualTo("hello");
		}
	}

	@Test
	void aUdpRequestGetsTheEchoServersReply() throws Exception {
		// GIVEN a UDP echo in namespace b
		try (DatagramChannel echo = udpReceiverIn(pair.b(), pair.bIp())) {
			int port = ((InetSocketAddress) echo.getLocalAddress()).getPort();
			Thread server = Thread.ofPlatform().daemon().start(() -> {
				try {
					ByteBuffer buffer = ByteBuffer.allocate(1500);
					InetSocketAddress from = (InetSocketAddress) echo.receive(buffer);
					buffer.flip();
					echo.send(buffer, from);
				} catch (IOException e) {
					// the test fails on the missing reply
				}
			});

			// WHEN a request goes from namespace a
			ExchangeResult result = Traffic.fromNetnsPath(pair.a().path()).udp().to(pair.bIp(), port).payload("ping")
					.request();

			// THEN the reply is the request
			assertThat(result.isCompleted()).as("%s", result).isTrue();
			assertThat(result.receivedText()).isEqualTo("ping");
			server.join(5000);
		}
	}

	@Test
	void aUdpRequestToAClosedPortIsRefused() {
		// WHEN nothing listens on the port in namespace b
		ExchangeResult result = Traffic.fromNetnsPath(pair.a().path()).udp().to(pair.bIp(), 9).payload("ping")
				.timeout(Duration.ofSeconds(3)).request();

		// THEN the ICMP port unreachable makes it a refusal, not a timeout
		assertThat(result.isRefused()).as("%s", result).isTrue();
		assertThat(result.received()).isEmpty();
	}

	@Test
	void udpRefusedLocallyIsNotCountedAndSaysWhy() {
		pair.execInA("iptables-legacy", "-A", "OUTPUT", "-p", "udp", "--dport", "9999", "-j", "DROP");
		try {
			UdpTraffic udp = Traffic.fromNetnsPath(pair.a().path()).udp().to(pair.bIp(), 9999);

			assertThat(udp.send(2)).isZero();
			assertThat(udp.lastFailure()).containsIgnoringCase("not permitted");
		} finally {
			pair.execInA("iptables-legacy", "-D", "OUTPUT", "-p", "udp", "--dport", "9999", "-j", "DROP");
		}
	}

	@Test
	void tcpBytesAreEchoedBack() throws IOException {
		try (ServerSocket server = echoServerIn(pair.b())) {
			ExchangeResult result = Traffic.fromNetnsPath(pair.a().path()).tcp().to(pair.bIp(), server.getLocalPort())
					.connectAndSend("ping over veth");

			assertThat(result.outcome()).as(result.toString()).isEqualTo(Outcome.COMPLETED);
			assertThat(result.isEchoed()).isTrue();
			assertThat(result.receivedText()).isEqualTo("ping over veth");
			assertThat(result.failure()).isNull();
		}
	}

	@Test
	void tcpToAClosedPortIsRefused() {
		ExchangeResult result = Traffic.fromNetnsPath(pair.a().path()).tcp().to(pair.bIp(), 9).connect();

		assertThat(result.outcome()).as(result.toString()).isEqualTo(Outcome.REFUSED);
		assertThat(result.failure()).containsIgnoringCase("refused");
	}

	@Test
	void tcpToAPortBehindADropRuleTimesOut() throws IOException {
		try (ServerSocket server = echoServerIn(pair.b())) {
			String port = Integer.toString(server.getLocalPort());
			pair.execInB("iptables-nft", "-A", "INPUT", "-p", "tcp", "--dport", port, "-j", "DROP");
			try {
				ExchangeResult result = Traffic.fromNetnsPath(pair.a().path()).tcp().to(pair.bIp(), server.getLocalPort())
						.timeout(Duration.ofMillis(500)).connectAndSend("lost");

				// the bound asked for, not the 5 s default, ended the wait (how long it took is not asserted)
				assertThat(result.outcome()).as(result.toString()).isEqualTo(Outcome.TIMED_OUT);
				assertThat(result.failure()).contains("500 ms");
			} finally {
				pair.execInB("iptables-nft", "-D", "INPUT", "-p", "tcp", "--dport", port, "-j", "DROP");
			}
		}
	}

	@Test
	void tcpRejectedWithAResetIsRefused() throws IOException {
		try (ServerSocket server = echoServerIn(pair.b())) {
			String port = Integer.toString(server.getLocalPort());
			String[] rule = {"INPUT", "-p", "tcp", "--dport", port, "-j", "REJECT", "--reject-with", "tcp-reset"};
			pair.execInB(concat("iptables-legacy", "-A", rule));
			try {
				ExchangeResult result = Traffic.fromNetnsPath(pair.a().path()).tcp().to(pair.bIp(), server.getLocalPort())
						.connectAndSend("rejected");

				assertThat(result.outcome()).as(result.toString()).isEqualTo(Outcome.REFUSED);
			} finally {
				pair.execInB(concat("iptables-legacy", "-D", rule));
			}
		}
	}

	@Test
	void httpGetReturnsTheStatusAndBody() throws IOException {
		HttpServer server = NetnsRunner.call(pair.b(), () -> HttpServer.create(new InetSocketAddress(pair.bIp(), 0), 0));
		server.createContext("/hello", exchange -> {
			byte[] body = ("hi " + exchange.getRequestURI().getQuery()).getBytes(StandardCharsets.UTF_8);
			exchange.sendResponseHeaders(201, body.length);
			try (OutputStream out = exchange.getResponseBody()) {
				out.write(body);
			}
		});
		server.start();
		try {
			String uri = "http://" + pair.bIp() + ":" + server.getAddress().getPort() + "/hello?x=1";

			HttpResult result = Traffic.fromNetnsPath(pair.a().path()).http().get(uri);

			assertThat(result.outcome()).as(result.toString()).isEqualTo(Outcome.COMPLETED);
			assertThat(result.status()).isEqualTo(201);
			assertThat(result.body()).isEqualTo("hi x=1");
		} finally {
			server.stop(0);
		}
	}

	@Test
	void httpToAClosedPortIsRefused() {
		HttpResult result = Traffic.fromNetnsPath(pair.a().path()).http().get("http://" + pair.bIp() + ":9/");

		assertThat(result.outcome()).isEqualTo(Outcome.REFUSED);
		assertThat(result.status()).isEqualTo(-1);
	}

	private static String[] concat(String first, String second, String... rest) {
		List<String> all = new ArrayList<>(List.of(first, second));
		all.addAll(List.of(rest));
		return all.toArray(String[]::new);
	}

	private static DatagramChannel udpReceiverIn(NetworkNamespace netns, String ip) throws IOException {
		DatagramChannel channel = NetnsRunner.call(netns, () -> DatagramChannel.open().bind(new InetSocketAddress(ip, 0)));
		channel.socket().setSoTimeout(5000);
		return channel;
	}

	/** Reads {@code count} datagrams, failing after 5 s without one. */
	static List<String> receive(DatagramChannel receiver, int count) throws IOException {
		List<String> got = new ArrayList<>();
		byte[] buffer = new byte[2048];
		java.net.DatagramPacket packet = new java.net.DatagramPacket(buffer, buffer.length);
		for (int i = 0; i < count; i++) {
			try {
				receiver.socket().receive(packet);
			} catch (SocketTimeoutException e) {
				break;
			}
			got.add(new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8));
		}
		return got;
	}

	/** A TCP echo server on B's address, on a free port, inside {@code netns}. */
	private static ServerSocket echoServerIn(NetworkNamespace netns) {
		return TcpEchoServer.start(netns, pair.bIp(), 0);
	}
}

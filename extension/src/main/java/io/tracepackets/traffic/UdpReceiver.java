package io.tracepackets.traffic;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A UDP socket bound to a port on every address of a namespace, reading and discarding what
 * arrives until closed: the receiver that makes datagrams sent there delivered (read by a socket)
 * instead of dropped for lack of one. Obtained from {@link Origin#receiveUdp(int)}; bound when
 * that returns.
 */
public final class UdpReceiver implements AutoCloseable {

	private final DatagramSocket socket;
	private final AtomicLong received = new AtomicLong();
	private final Thread reader;

	UdpReceiver(DatagramSocket socket) {
		this.socket = socket;
		this.reader = Thread.ofVirtual().name("tracepackets-udp-receiver-" + socket.getLocalPort()).start(this::read);
	}

	/**
	 * The port it is bound to.
	 *
	 * @return the local port
	 */
	public int port() {
		return socket.getLocalPort();
	}

	/**
	 * Datagrams read so far.
	 *
	 * @return the count since it was made
	 */
	public long received() {
		return received.get();
	}

	/** Closes the socket; datagrams that arrive after are dropped for lack of a socket. */
	@Override
	public void close() {
		socket.close();
		try {
			reader.join();
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public String toString() {
		return "UDP receiver on port " + port() + " (" + received() + " datagrams read)";
	}

	private void read() {
		DatagramPacket packet = new DatagramPacket(new byte[65_535], 65_535);
		while (!socket.isClosed()) {
			try {
				socket.receive(packet);
				received.incrementAndGet();
			} catch (IOException closed) {
				return;
			}
		}
	}
}

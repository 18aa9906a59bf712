package io.tracepackets.internal.netns;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Test fixture: a TCP echo server bound inside a network namespace, serving one connection after
 * another on a daemon thread until it is closed. The kernel tests that need a TCP peer in a veth
 * pair's namespace share it.
 */
public final class TcpEchoServer {

	private TcpEchoServer() {
	}

	/**
	 * Listens on {@code address}:{@code port} (0: any free port) inside {@code netns}; close the
	 * socket to stop it.
	 */
	public static ServerSocket start(NetworkNamespace netns, String address, int port) {
		ServerSocket server = NetnsRunner.call(netns, () -> new ServerSocket(port, 50, InetAddress.getByName(address)));
		Thread.ofPlatform().daemon().name("echo-" + server.getLocalPort()).start(() -> {
			while (!server.isClosed()) {
				try (Socket socket = server.accept()) {
					socket.setSoTimeout(5000);
					InputStream in = socket.getInputStream();
					OutputStream out = socket.getOutputStream();
					byte[] buffer = new byte[4096];
					for (int n; (n = in.read(buffer)) > 0;) {
						out.write(buffer, 0, n);
					}
				} catch (IOException e) {
					// closed server, or a client that went away: next one
				}
			}
		});
		return server;
	}
}

package io.tracepackets.bench;

import io.tracepackets.internal.netns.NetworkNamespace;
import java.nio.file.Path;

/**
 * Two throwaway network namespaces joined by a veth pair: the flood goes from the sender's
 * {@code 10.214.0.1} to the receiver's {@code 10.214.0.2}. Tracing both namespaces sees a
 * packet's whole life (queue and xmit on the sender, rx, receive and drop on the receiver)
 * without the host's own traffic.
 */
final class NetnsPair implements AutoCloseable {

	static final String SENDER_ADDRESS = "10.214.0.1";
	static final String RECEIVER_ADDRESS = "10.214.0.2";

	final String sender;
	final String receiver;

	NetnsPair() {
		String id = Long.toString(ProcessHandle.current().pid());
		sender = "tpbench-tx" + id;
		receiver = "tpbench-rx" + id;
		Commands.run("ip", "netns", "add", sender);
		Commands.run("ip", "netns", "add", receiver);
		Commands.run("ip", "-n", sender, "link", "add", "tx0", "type", "veth", "peer", "name", "rx0", "netns", receiver);
		Commands.run("ip", "-n", sender, "addr", "add", SENDER_ADDRESS + "/30", "dev", "tx0");
		Commands.run("ip", "-n", receiver, "addr", "add", RECEIVER_ADDRESS + "/30", "dev", "rx0");
		for (String netns : new String[] {sender, receiver}) {
			Commands.run("ip", "-n", netns, "link", "set", "lo", "up");
		}
		Commands.run("ip", "-n", sender, "link", "set", "tx0", "up");
		Commands.run("ip", "-n", receiver, "link", "set", "rx0", "up");
	}

	Path senderPath() {
		return Path.of("/run/netns", sender);
	}

	Path receiverPath() {
		return Path.of("/run/netns", receiver);
	}

	long senderInode() {
		return NetworkNamespace.ofPath(senderPath()).inode();
	}

	long receiverInode() {
		return NetworkNamespace.ofPath(receiverPath()).inode();
	}

	@Override
	public void close() {
		// Deleting a namespace deletes the veth end in it, and with it the pair.
		Commands.tryRun("", "ip", "netns", "del", sender);
		Commands.tryRun("", "ip", "netns", "del", receiver);
	}
}

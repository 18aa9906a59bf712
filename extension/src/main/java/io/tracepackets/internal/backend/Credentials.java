package io.tracepackets.internal.backend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What decides, besides the kernel, whether it lets this process load and attach a program: its
 * user, effective capabilities and user namespace (a container's root is not the host's). A
 * backend's refusal is cached under these, so that a JVM with other privileges asks again.
 */
record Credentials(String uid, String capabilities, long userNamespace) {

	private static volatile Credentials current;

	/** This process's, read once. */
	static Credentials current() {
		Credentials read = current;
		if (read == null) {
			read = current = read();
		}
		return read;
	}

	private static Credentials read() {
		String uid = "?";
		String capabilities = "?";
		try {
			for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
				if (line.startsWith("Uid:")) {
					uid = line.substring(4).strip().replaceAll("\\s+", ",");
				} else if (line.startsWith("CapEff:")) {
					capabilities = line.substring(7).strip();
				}
			}
		} catch (IOException | RuntimeException e) {
			// unknown: then only a JVM equally unknown shares the entries
		}
		long userNamespace = 0;
		try {
			userNamespace = (Long) Files.getAttribute(Path.of("/proc/self/ns/user"), "unix:ino");
		} catch (IOException | RuntimeException e) {
			// as above
		}
		return new Credentials(uid, capabilities, userNamespace);
	}
}

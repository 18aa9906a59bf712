package io.tracepackets.testing;

import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.ContainerNetwork;
import io.tracepackets.TracePacketsException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.LazyFuture;

/**
 * A small network test box to trace, whose image is built on this machine from the host's own
 * binaries, so that a first test runs without a registry and without building anything by hand:
 * busybox, socat and iptables (nft and legacy), copied with the shared libraries {@code ldd}
 * names for them into a {@code FROM scratch} image. It runs UDP receivers on {@value #UDP_PORT}
 * and {@value #UDP_PORT_2}, a TCP echo on {@value #TCP_ECHO_PORT}, a UDP echo on
 * {@value #UDP_ECHO_PORT} and HTTP on {@value #HTTP_PORT}, with {@code CAP_NET_ADMIN} so that a
 * test can add firewall rules inside it.
 *
 * <p>The image is tagged {@code tracepackets/netbox-fixture:<hash of its inputs>}: built once per
 * machine (about a second), and again only when a host binary changes. The host needs
 * {@code /bin/busybox} (Debian's {@code busybox-static}), {@code socat} and {@code iptables}
 * ({@code apt-get install busybox-static socat iptables}). Send to {@link #ipAddress()}, the
 * container's address on Docker's bridge, so that the kernel sees the packets on the container's
 * own interface.
 */
public class NetboxContainer extends GenericContainer<NetboxContainer> {

	/** UDP receiver; what arrives is appended to {@code /tmp/udp-9000.log}. */
	public static final int UDP_PORT = 9000;
	/** A second UDP receiver, logging to {@code /tmp/udp-9001.log}. */
	public static final int UDP_PORT_2 = 9001;
	/** TCP echo: what a connection sends comes back. */
	public static final int TCP_ECHO_PORT = 9002;
	/** UDP echo: every datagram is sent back to its sender. */
	public static final int UDP_ECHO_PORT = 9003;
	/** busybox httpd serving {@code /index.html} ("ok"). */
	public static final int HTTP_PORT = 8080;

	private static final String REPOSITORY = "tracepackets/netbox-fixture";
	private static final String INSTALL_HINT = "apt-get install busybox-static socat iptables";
	private static final Path XTABLES_MODULES = Path.of("/usr/lib/x86_64-linux-gnu/xtables");

	/** Creates the box; its image is built (or found) when the container starts. */
	public NetboxContainer() {
		super(new LocalImage());
		addNetboxSettings();
	}

	/**
	 * A box from an image of the project's own that runs the same services (the receivers, echoes
	 * and HTTP above, and {@code netbox ready} in its log once they listen), with more tools in it
	 * than the host's binaries give, e.g. {@code nft}.
	 *
	 * @param image the image; Testcontainers' pull policy applies to it as to any
	 */
	protected NetboxContainer(DockerImageName image) {
		super(image);
		addNetboxSettings();
	}

	/** What every box needs: CAP_NET_ADMIN for the test's rules, and to wait until its services listen. */
	private void addNetboxSettings() {
		withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withCapAdd(Capability.NET_ADMIN));
		waitingFor(Wait.forLogMessage(".*netbox ready.*", 1).withStartupTimeout(Duration.ofSeconds(30)));
	}

	/**
	 * Runs {@code iptables} (the nf_tables variant, Debian's default) with {@code args} inside the
	 * container, e.g. {@code iptables("-A", "INPUT", "-p", "udp", "--dport", "9000", "-j", "DROP")}.
	 *
	 * @param args the arguments of {@code iptables}
	 * @return its standard output
	 * @throws TracePacketsException with its output when it exits non-zero
	 */
	public String iptables(String... args) {
		return exec(prepend("iptables-nft", args));
	}

	/**
	 * Runs {@code iptables-legacy} (the x_tables kernel tables) with {@code args} inside the
	 * container.
	 *
	 * @param args the arguments of {@code iptables-legacy}
	 * @return its standard output
	 * @throws TracePacketsException with its output when it exits non-zero
	 */
	public String iptablesLegacy(String... args) {
		return exec(prepend("iptables-legacy", args));
	}

	/**
	 * Runs {@code command} inside the container.
	 *
	 * @param command the program and its arguments
	 * @return its standard output
	 * @throws TracePacketsException with its output when it exits non-zero
	 */
	public String exec(String... command) {
		ExecResult result;
		try {
			result = execInContainer(command);
		} catch (IOException e) {
			throw new TracePacketsException("cannot run " + String.join(" ", command) + " in " + getContainerName()
					+ ": " + e, e);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new TracePacketsException("interrupted running " + String.join(" ", command), e);
		}
		if (result.getExitCode() != 0) {
			throw new TracePacketsException(String.join(" ", command) + " exited " + result.getExitCode()
					+ "\nstdout: " + result.getStdout() + "\nstderr: " + result.getStderr());
		}
		return result.getStdout();
	}

	/**
	 * The container's address on Docker's default bridge (or on its first network).
	 *
	 * @return an IPv4 address, e.g. {@code 172.17.0.2}
	 */
	public String ipAddress() {
		Map<String, ContainerNetwork> networks = getContainerInfo().getNetworkSettings().getNetworks();
		ContainerNetwork network = networks.containsKey("bridge") ? networks.get("bridge")
				: networks.values().stream().findFirst().orElseThrow(
						() -> new TracePacketsException("container " + getContainerName() + " has no network"));
		return network.getIpAddress();
	}

	/**
	 * What the UDP receiver on {@code port} has received so far, one line per datagram whose
	 * payload ends in a newline (as {@code Traffic.udp()}'s default payload does).
	 *
	 * @param port {@value #UDP_PORT} or {@value #UDP_PORT_2}
	 * @return the received bytes as text, empty when nothing arrived
	 */
	public String udpReceived(int port) {
		if (port != UDP_PORT && port != UDP_PORT_2) {
			throw new IllegalArgumentException("no UDP receiver on port " + port + " (only " + UDP_PORT + " and "
					+ UDP_PORT_2 + ")");
		}
		return exec("sh", "-c", "cat /tmp/udp-" + port + ".log 2>/dev/null || true");
	}

	private static String[] prepend(String first, String[] rest) {
		String[] all = new String[rest.length + 1];
		all[0] = first;
		System.arraycopy(rest, 0, all, 1, rest.length);
		return all;
	}

	/**
	 * The image's name, resolved when Testcontainers starts the container: found by the hash of
	 * its inputs, else built from them.
	 */
	private static final class LocalImage extends LazyFuture<String> {

		@Override
		protected String resolve() {
			Map<String, Path> files = rootFiles();
			Map<String, String> texts = textFiles();
			String tag = REPOSITORY + ":" + hash(files, texts);
			try {
				DockerClientFactory.instance().client().inspectImageCmd(tag).exec();
				return tag;
			} catch (NotFoundException absent) {
				ImageFromDockerfile image = new ImageFromDockerfile(tag, false);
				files.forEach((inImage, onHost) -> image.withFileFromPath("rootfs" + inImage, onHost));
				texts.forEach((name, text) -> image.withFileFromTransferable(name,
						Transferable.of(text.getBytes(StandardCharsets.UTF_8), 0755)));
				try {
					return image.get();
				} catch (Exception e) {
					throw new TracePacketsException("cannot build the image " + tag + " of NetboxContainer from the"
							+ " host's binaries: " + e.getMessage(), e);
				}
			}
		}

		/** Path in the image → host file (dereferenced: the host has merged /usr). */
		private static Map<String, Path> rootFiles() {
			Map<String, Path> files = new TreeMap<>();
			addBinary(files, "/bin/busybox", Path.of("/bin/busybox"));
			addBinary(files, "/usr/bin/socat", onPath("socat", "/usr/bin/socat"));
			addBinary(files, "/usr/sbin/xtables-nft-multi", onPath("xtables-nft-multi", "/usr/sbin/xtables-nft-multi"));
			addBinary(files, "/usr/sbin/xtables-legacy-multi",
					onPath("xtables-legacy-multi", "/usr/sbin/xtables-legacy-multi"));
			// iptables loads its matches and targets (-p udp, -j DROP) from these at run time.
			if (!Files.isDirectory(XTABLES_MODULES)) {
				throw missing(XTABLES_MODULES);
			}
			try (Stream<Path> modules = Files.list(XTABLES_MODULES)) {
				modules.filter(module -> module.toString().endsWith(".so")).sorted()
						.forEach(module -> addBinary(files, module.toString(), module));
			} catch (IOException e) {
				throw new UncheckedIOException(e);
			}
			for (String name : List.of("/etc/protocols", "/etc/services")) {
				if (Files.isRegularFile(Path.of(name))) {
					files.put(name, Path.of(name));
				}
			}
			return files;
		}

		/** The start and set-up scripts, the Dockerfile and the small files the image holds. */
		private static Map<String, String> textFiles() {
			Map<String, String> texts = new LinkedHashMap<>();
			texts.put("Dockerfile", """
					FROM scratch
					COPY rootfs/ /
					RUN ["/bin/busybox", "sh", "/bin/netbox-setup"]
					ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin
					EXPOSE 9000/udp 9001/udp 9002/tcp 9003/udp 8080/tcp
					CMD ["/bin/netbox-start"]
					""");
			texts.put("rootfs/bin/netbox-setup", """
					#!/bin/busybox sh
					# Runs once, in the image build: busybox's applets, and iptables' names as Debian has them.
					set -e
					/bin/busybox --install -s /bin
					for name in iptables ip6tables; do
						for suffix in "" -save -restore; do
							ln -sf xtables-nft-multi /usr/sbin/$name$suffix
							ln -sf xtables-nft-multi /usr/sbin/$name-nft$suffix
							ln -sf xtables-legacy-multi /usr/sbin/$name-legacy$suffix
						done
					done
					mkdir -p /tmp /run /var/log /www
					chmod 1777 /tmp
					echo 'root:x:0:0:root:/:/bin/sh' >/etc/passwd
					echo 'root:x:0:' >/etc/group
					echo ok >/www/index.html
					""");
			texts.put("rootfs/bin/netbox-start", """
					#!/bin/sh
					# UDP receivers append what they read to /tmp/udp-<port>.log.
					socat -u UDP-RECV:9000,reuseaddr OPEN:/tmp/udp-9000.log,creat,append &
					socat -u UDP-RECV:9001,reuseaddr OPEN:/tmp/udp-9001.log,creat,append &
					socat TCP-LISTEN:9002,reuseaddr,fork PIPE &
					socat UDP4-RECVFROM:9003,reuseaddr,fork PIPE &
					httpd -f -p 8080 -h /www &
					# "ready" must mean listening: a test that sends right after start must not race socat.
					listening() { netstat -ltun 2>/dev/null | grep -q "[:.]$1 "; }
					tries=0
					until listening 9000 && listening 9001 && listening 9002 && listening 9003 && listening 8080; do
						tries=$((tries + 1))
						if [ "$tries" -ge 200 ]; then
							echo "netbox listeners did not start within 10 s:"
							netstat -ltun
							exit 1
						fi
						sleep 0.05
					done
					echo "netbox ready"
					# PID 1 gets no default signal handling: exit on TERM at once.
					trap 'exit 0' TERM INT
					while :; do
						sleep 3600 &
						wait $!
					done
					""");
			return texts;
		}

		private static Path onPath(String name, String usual) {
			Path path = Path.of(usual);
			if (Files.isExecutable(path)) {
				return path;
			}
			// Where Debian and Ubuntu put them (the JVM's PATH is a setting, read only by the settings).
			for (String dir : List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin")) {
				Path candidate = Path.of(dir, name);
				if (Files.isExecutable(candidate)) {
					return candidate;
				}
			}
			throw missing(path);
		}

		private static TracePacketsException missing(Path path) {
			return new TracePacketsException("NetboxContainer builds its image from the host's busybox, socat and"
					+ " iptables, but " + path + " is missing: install them (" + INSTALL_HINT + ")");
		}

		/** Adds the file and every shared library ldd resolves for it, plus the loader. */
		private static void addBinary(Map<String, Path> files, String inImage, Path onHost) {
			if (!Files.isRegularFile(onHost)) {
				throw missing(onHost);
			}
			files.put(inImage, realPath(onHost));
			for (String library : sharedLibraries(onHost)) {
				files.putIfAbsent(library, realPath(Path.of(library)));
			}
		}

		private static Path realPath(Path path) {
			try {
				return path.toRealPath();
			} catch (IOException e) {
				throw new UncheckedIOException(e);
			}
		}

		/** The absolute paths ldd prints: "libc.so.6 => /lib/…" and the loader "/lib64/ld-linux…". */
		private static List<String> sharedLibraries(Path binary) {
			List<String> libraries = new ArrayList<>();
			try {
				Process ldd = new ProcessBuilder("ldd", binary.toString()).redirectErrorStream(true).start();
				String output;
				try (InputStream out = ldd.getInputStream()) {
					output = new String(out.readAllBytes(), StandardCharsets.UTF_8);
				}
				if (!ldd.waitFor(30, TimeUnit.SECONDS)) {
					ldd.destroyForcibly();
					throw new TracePacketsException("ldd " + binary + " did not finish within 30 s");
				}
				for (String line : output.lines().map(String::strip).toList()) {
					int arrow = line.indexOf("=> /");
					String path = arrow >= 0 ? line.substring(arrow + 3) : line.startsWith("/") ? line : null;
					if (path != null) {
						int space = path.indexOf(' ');
						libraries.add(space < 0 ? path : path.substring(0, space));
					}
				}
			} catch (IOException e) {
				throw new TracePacketsException("NetboxContainer needs ldd to find the libraries of " + binary + ": " + e,
						e);
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				throw new TracePacketsException("interrupted running ldd " + binary, e);
			}
			return libraries;
		}

		private static String hash(Map<String, Path> files, Map<String, String> texts) {
			try {
				MessageDigest digest = MessageDigest.getInstance("SHA-256");
				for (Map.Entry<String, Path> file : files.entrySet()) {
					digest.update((file.getKey() + "\0").getBytes(StandardCharsets.UTF_8));
					digest.update(Files.readAllBytes(file.getValue()));
				}
				for (Map.Entry<String, String> text : texts.entrySet()) {
					digest.update((text.getKey() + "\0" + text.getValue()).getBytes(StandardCharsets.UTF_8));
				}
				return HexFormat.of().formatHex(digest.digest(), 0, 8);
			} catch (NoSuchAlgorithmException e) {
				throw new IllegalStateException(e);
			} catch (IOException e) {
				throw new UncheckedIOException(e);
			}
		}
	}
}

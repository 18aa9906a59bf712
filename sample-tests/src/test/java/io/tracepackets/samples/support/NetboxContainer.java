package io.tracepackets.samples.support;

import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.ContainerNetwork;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * A small network test box: the locally built {@value #IMAGE} image (busybox, socat, iptables nft
 * and legacy, nft, ip) running UDP receivers on {@value #UDP_PORT} and {@value #UDP_PORT_2}, a TCP
 * echo on {@value #TCP_ECHO_PORT}, a UDP echo on {@value #UDP_ECHO_PORT} and HTTP on
 * {@value #HTTP_PORT}, with CAP_NET_ADMIN so tests can add firewall rules inside it.
 * <p>
 * The image is never pulled (no registry is reachable): build it with {@code scripts/images/build}.
 * Tests reach it at {@link #ipAddress()} on the bridge, not through mapped ports, so the kernel
 * sees the packets on the container's own interfaces.
 */
public class NetboxContainer extends GenericContainer<NetboxContainer> {

	public static final String IMAGE = "tracepackets/netbox:local";
	/** UDP receiver; what arrives is appended to {@code /tmp/udp-9000.log}. */
	public static final int UDP_PORT = 9000;
	/** A second UDP receiver, logging to {@code /tmp/udp-9001.log}. */
	public static final int UDP_PORT_2 = 9001;
	public static final int TCP_ECHO_PORT = 9002;
	/** UDP echo: every datagram is sent back to its sender. */
	public static final int UDP_ECHO_PORT = 9003;
	/** busybox httpd serving {@code /index.html} ("ok"). */
	public static final int HTTP_PORT = 8080;

	/** Which iptables backend a rule goes through: both hook netfilter, at different places. */
	public enum IptablesVariant {
		/** {@code iptables-nft}: rules become nf_tables expressions (Debian's default). */
		NFT("iptables-nft"),
		/** {@code iptables-legacy}: the x_tables kernel tables. */
		LEGACY("iptables-legacy");

		private final String command;

		IptablesVariant(String command) {
			this.command = command;
		}

		public String command() {
			return command;
		}
	}

	public NetboxContainer() {
		this(IMAGE);
	}

	/** A netbox from another local tag, e.g. a variant image; it must exist locally too. */
	public NetboxContainer(String image) {
		super(DockerImageName.parse(image));
		// A pull could only fail, after minutes: a missing image must fail at once instead.
		withImagePullPolicy(name -> false);
		// On top of Docker's default capabilities: iptables-legacy also needs NET_RAW, a default one.
		withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withCapAdd(Capability.NET_ADMIN));
		waitingFor(Wait.forLogMessage(".*netbox ready.*", 1).withStartupTimeout(Duration.ofSeconds(30)));
	}

	@Override
	public void start() {
		requireLocalImage();
		super.start();
	}

	/**
	 * Runs {@code iptables-nft} or {@code iptables-legacy} with {@code args} inside the container
	 * and returns its stdout.
	 *
	 * @throws IllegalStateException with stdout and stderr when it exits non-zero
	 */
	public String iptables(IptablesVariant variant, String... args) {
		String[] command = new String[args.length + 1];
		command[0] = variant.command();
		System.arraycopy(args, 0, command, 1, args.length);
		return exec(command);
	}

	/** Runs {@code command} inside the container, failing with its output on a non-zero exit. */
	public String exec(String... command) {
		ExecResult result;
		try {
			result = execInContainer(command);
		} catch (IOException e) {
			throw new IllegalStateException("cannot run " + String.join(" ", command) + " in " + getContainerName()
					+ ": " + e, e);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted running " + String.join(" ", command), e);
		}
		if (result.getExitCode() != 0) {
			throw new IllegalStateException(String.join(" ", command) + " exited " + result.getExitCode()
					+ "\nstdout: " + result.getStdout() + "\nstderr: " + result.getStderr());
		}
		return result.getStdout();
	}

	/** The container's IP address on the default bridge (or its first network). */
	public String ipAddress() {
		Map<String, ContainerNetwork> networks = getContainerInfo().getNetworkSettings().getNetworks();
		ContainerNetwork network = networks.containsKey("bridge") ? networks.get("bridge")
				: networks.values().stream().findFirst().orElseThrow(
						() -> new IllegalStateException("container " + getContainerName() + " has no network"));
		return network.getIpAddress();
	}

	/** Everything the UDP receiver on {@code port} has received so far (9000 or 9001). */
	public String udpReceived(int port) {
		if (port != UDP_PORT && port != UDP_PORT_2) {
			throw new IllegalArgumentException("no UDP receiver on port " + port);
		}
		return exec("sh", "-c", "cat /tmp/udp-" + port + ".log 2>/dev/null || true");
	}

	private void requireLocalImage() {
		String image = getDockerImageName();
		try {
			DockerClientFactory.instance().client().inspectImageCmd(image).exec();
		} catch (NotFoundException e) {
			throw new IllegalStateException("image " + image + " not found: run scripts/images/build"
					+ " (images are built locally; no registry is reachable)", e);
		}
	}
}

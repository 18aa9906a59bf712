package io.tracepackets.testing;

import io.tracepackets.TracePacketsException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/**
 * A node wired the way a container runtime wires pods: real CNI plugins (bridge, host-local,
 * portmap, firewall, bandwidth, …) run through their own protocol ({@code CNI_COMMAND=ADD} and
 * {@code DEL}, the network configuration on stdin, the result on stdout, each plugin's result
 * handed to the next as {@code prevResult}), from a network configuration list as a runtime reads
 * it from {@code /etc/cni/net.d}. For regression checks of the rules and qdiscs those plugins set
 * up.
 *
 * <p>The node is a network namespace of its own, so that everything the plugins do to "the host"
 * (the bridge, iptables chains, qdiscs) stays in it and goes with it: it has IPv4 forwarding on and
 * {@code net.bridge.bridge-nf-call-iptables=1}, as Kubernetes requires of a node, so that traffic
 * between pods of one bridge passes the node's FORWARD chain. Each pod is a namespace of its own
 * with the interface {@code eth0}. Trace them with {@code trace.scope(network.nodePath())} and
 * {@code trace.scope(pod.path())}. Close to delete the pods (DEL, in reverse order) and the node.
 *
 * <p>Needs root and the plugins: in {@code /usr/lib/cni} (Debian's and Ubuntu's
 * {@code containernetworking-plugins}), else {@code /opt/cni/bin} (upstream's tarball), or where
 * {@link #create(String, Path)} is told.
 * A {@code host-local} IPAM without a {@code dataDir} is given one of the network's own, deleted
 * with it. Namespaces are named as {@link VethNamespaces} names its own, and a killed JVM's are
 * deleted the same way.
 */
public final class CniNetwork implements AutoCloseable {

	private static final List<Path> PLUGIN_DIRECTORIES = List.of(Path.of("/usr/lib/cni"), Path.of("/opt/cni/bin"));
	private static final long PLUGIN_TIMEOUT_SECONDS = 30;
	/** Letters after the prefix: {@code n} for the node, then one per pod. */
	private static final String POD_LETTERS = "cdefghijklmopqrstuvwxyz";

	private final String prefix;
	private final String name;
	private final String cniVersion;
	private final List<Map<String, Object>> plugins;
	private final Path pluginDirectory;
	private final Path dataDirectory;
	private final List<Pod> pods = new ArrayList<>();

	private CniNetwork(String prefix, String name, String cniVersion, List<Map<String, Object>> plugins,
			Path pluginDirectory, Path dataDirectory) {
		this.prefix = prefix;
		this.name = name;
		this.cniVersion = cniVersion;
		this.plugins = plugins;
		this.pluginDirectory = pluginDirectory;
		this.dataDirectory = dataDirectory;
	}

	/**
	 * A node with this network configuration list, its plugins found as the class comment says.
	 *
	 * @param conflist a network configuration list ({@code {"cniVersion": …, "name": …, "plugins":
	 *     [ … ]}}), as in {@code /etc/cni/net.d/*.conflist}
	 * @return the node, its namespace made; close it to delete the pods and the namespace
	 * @throws TracePacketsException when the list is not valid, a plugin it names is not installed,
	 *     or the node's namespace cannot be made (not root)
	 */
	public static CniNetwork create(String conflist) {
		return create(conflist, pluginDirectory());
	}

	/**
	 * As {@link #create(String)}, with the plugins in {@code pluginDirectory}.
	 *
	 * @param conflist a network configuration list, as {@link #create(String)} takes it
	 * @param pluginDirectory where the plugins' executables are, e.g. {@code /opt/cni/bin}
	 * @return the node, its namespace made
	 */
	public static CniNetwork create(String conflist, Path pluginDirectory) {
		Map<String, Object> list;
		try {
			list = CniJson.object(CniJson.parse(conflist), "the network configuration list");
		} catch (IllegalArgumentException e) {
			throw new TracePacketsException("CNI network configuration list: " + e.getMessage(), e);
		}
		String name = text(list, "name");
		String cniVersion = text(list, "cniVersion");
		if (!(list.get("plugins") instanceof List<?> entries) || entries.isEmpty()) {
			throw new TracePacketsException("CNI network configuration list " + name
					+ " has no \"plugins\": a .conflist lists its plugins in order, e.g. \"plugins\": [{\"type\": \"bridge\", …}]");
		}
		List<Map<String, Object>> plugins = new ArrayList<>();
		for (Object entry : entries) {
			Map<String, Object> plugin = CniJson.object(entry, "a plugin of " + name);
			String type = text(plugin, "type");
			if (!Files.isExecutable(pluginDirectory.resolve(type))) {
				throw new TracePacketsException("CNI plugin " + type + " of network " + name + " is not in "
						+ pluginDirectory + ": install the reference plugins (apt-get install containernetworking-plugins)"
						+ " or name their directory: CniNetwork.create(conflist, Path.of(...))");
			}
			plugins.add(plugin);
		}
		String prefix = VethNamespaces.newPrefix(VethNamespaces.nextNumber());
		Path data;
		try {
			data = Files.createTempDirectory("tracepackets-cni-");
		} catch (IOException e) {
			throw new TracePacketsException("cannot make the CNI network's data directory: " + e.getMessage(), e);
		}
		CniNetwork network = new CniNetwork(prefix, name, cniVersion, List.copyOf(plugins), pluginDirectory, data);
		try {
			VethNamespaces.ip("netns", "add", network.nodeName());
			network.execOnNode("ip", "link", "set", "lo", "up");
			network.execOnNode("sysctl", "-qw", "net.ipv4.ip_forward=1");
			network.execOnNode("sysctl", "-qw", "net.bridge.bridge-nf-call-iptables=1");
			return network;
		} catch (RuntimeException e) {
			network.close();
			throw e;
		}
	}

	/**
	 * The name of the node's namespace under {@code /run/netns}.
	 *
	 * @return e.g. {@code tp1234x5n}
	 */
	public String nodeName() {
		return prefix + "n";
	}

	/**
	 * The node's namespace, for {@code trace.scope(...)}.
	 *
	 * @return its path under {@code /run/netns}
	 */
	public Path nodePath() {
		return Path.of("/run/netns", nodeName());
	}

	/**
	 * The network's name, as its configuration list gives it.
	 *
	 * @return the list's {@code name}
	 */
	public String name() {
		return name;
	}

	/**
	 * Runs a command on the node (e.g. {@code iptables -A CNI-ADMIN …}); returns its output.
	 *
	 * @param command the program and its arguments
	 * @return what it printed
	 * @throws TracePacketsException when it exits with a non-zero status; the message holds its output
	 */
	public String execOnNode(String... command) {
		return VethNamespaces.exec(nodeName(), command);
	}

	/**
	 * A pod on this network: its namespace, then ADD through every plugin of the list.
	 *
	 * @param podName the pod's name, as a runtime gives it ({@code K8S_POD_NAME})
	 * @return the pod, added
	 */
	public Pod addPod(String podName) {
		return addPod(podName, Map.of());
	}

	/**
	 * A pod on this network, with runtime arguments for the plugins that declare the capability:
	 * e.g. {@code Map.of("portMappings", List.of(Map.of("hostPort", 8080, "containerPort", 80,
	 * "protocol", "udp")))} for portmap, {@code Map.of("bandwidth", Map.of("ingressRate", 800_000,
	 * "ingressBurst", 16_000))} for bandwidth, as a runtime passes them in {@code runtimeConfig}.
	 *
	 * @param podName the pod's name, as a runtime gives it ({@code K8S_POD_NAME})
	 * @param capabilityArgs the runtime arguments by capability name
	 * @return the pod, added
	 * @throws TracePacketsException with the plugin's own error ({@code code}, {@code msg}) when one
	 *     refuses; what was added is deleted
	 */
	public synchronized Pod addPod(String podName, Map<String, Object> capabilityArgs) {
		if (pods.size() >= POD_LETTERS.length()) {
			throw new TracePacketsException("a CniNetwork holds at most " + POD_LETTERS.length() + " pods");
		}
		Pod pod = new Pod(this, podName, prefix + POD_LETTERS.charAt(pods.size()), capabilityArgs);
		VethNamespaces.ip("netns", "add", pod.netnsName);
		VethNamespaces.exec(pod.netnsName, "ip", "link", "set", "lo", "up");
		pods.add(pod);
		Object previous = null;
		for (Map<String, Object> plugin : plugins) {
			try {
				previous = CniJson.parse(run("ADD", plugin, pod, previous));
				pod.added.add(plugin);
			} catch (TracePacketsException e) {
				pod.delete();
				pods.remove(pod);
				throw e;
			}
		}
		pod.result = previous;
		return pod;
	}

	/**
	 * The pods added so far, in order.
	 *
	 * @return a copy
	 */
	public synchronized List<Pod> pods() {
		return List.copyOf(pods);
	}

	/** Deletes every pod (DEL through the plugins in reverse order), then the node and its data. */
	@Override
	public synchronized void close() {
		List<Pod> reversed = new ArrayList<>(pods);
		Collections.reverse(reversed);
		reversed.forEach(Pod::delete);
		pods.clear();
		VethNamespaces.quietly("netns", "del", nodeName());
		try (Stream<Path> files = Files.walk(dataDirectory)) {
			files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
		} catch (IOException e) {
			// a temporary directory left behind
		}
	}

	/** One plugin's configuration as a runtime builds it (CNI spec, "Deriving execution configuration"). */
	private String configuration(Map<String, Object> plugin, Pod pod, Object previous) {
		Map<String, Object> config = new LinkedHashMap<>(plugin);
		config.put("cniVersion", cniVersion);
		config.put("name", name);
		if (previous != null) {
			config.put("prevResult", previous);
		}
		Map<String, Object> runtime = new LinkedHashMap<>();
		if (plugin.get("capabilities") instanceof Map<?, ?> capabilities) {
			capabilities.forEach((capability, on) -> {
				if (Boolean.TRUE.equals(on) && pod.capabilityArgs.containsKey(capability.toString())) {
					runtime.put(capability.toString(), pod.capabilityArgs.get(capability.toString()));
				}
			});
		}
		if (!runtime.isEmpty()) {
			config.put("runtimeConfig", runtime);
		}
		if (plugin.get("ipam") instanceof Map<?, ?> ipam && "host-local".equals(ipam.get("type"))
				&& !ipam.containsKey("dataDir")) {
			Map<String, Object> withData = new LinkedHashMap<>(CniJson.object(ipam, "ipam"));
			withData.put("dataDir", dataDirectory.toString());
			config.put("ipam", withData);
		}
		return CniJson.write(config);
	}

	private String run(String command, Map<String, Object> plugin, Pod pod, Object previous) {
		String type = text(plugin, "type");
		ProcessBuilder builder = new ProcessBuilder("ip", "netns", "exec", nodeName(),
				pluginDirectory.resolve(type).toString());
		Map<String, String> env = builder.environment();
		env.put("CNI_COMMAND", command);
		env.put("CNI_CONTAINERID", pod.netnsName);
		env.put("CNI_NETNS", pod.path().toString());
		env.put("CNI_IFNAME", Pod.INTERFACE);
		env.put("CNI_PATH", pluginDirectory.toString());
		String what = "CNI " + command + " of pod " + pod.name + " by plugin " + type + " (network " + name + ")";
		try {
			Process process = builder.start();
			CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
			CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
			try (OutputStream stdin = process.getOutputStream()) {
				stdin.write(configuration(plugin, pod, previous).getBytes(StandardCharsets.UTF_8));
			}
			if (!process.waitFor(PLUGIN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new TracePacketsException(what + " did not finish within " + PLUGIN_TIMEOUT_SECONDS + " s");
			}
			String output = new String(out.join(), StandardCharsets.UTF_8);
			if (process.exitValue() != 0) {
				throw new TracePacketsException(what + " failed (exit " + process.exitValue() + "): "
						+ pluginError(output) + stderr(err.join()));
			}
			return output.isBlank() ? "null" : output;
		} catch (IOException e) {
			throw new TracePacketsException(what + ": " + e.getMessage(), e);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new TracePacketsException(what + " interrupted", e);
		}
	}

	/** A plugin's error result ({@code {"code": 7, "msg": "…", "details": "…"}}) as one line. */
	private static String pluginError(String output) {
		try {
			Map<String, Object> error = CniJson.object(CniJson.parse(output), "the error");
			return error.get("msg") + (error.get("details") == null ? "" : ": " + error.get("details")) + " (code "
					+ error.get("code") + ")";
		} catch (IllegalArgumentException e) {
			return output.strip();
		}
	}

	private static String stderr(byte[] bytes) {
		String text = new String(bytes, StandardCharsets.UTF_8).strip();
		return text.isEmpty() ? "" : "; stderr: " + text;
	}

	private static byte[] readAll(java.io.InputStream in) {
		try (in) {
			return in.readAllBytes();
		} catch (IOException e) {
			return new byte[0];
		}
	}

	private static String text(Map<String, Object> object, String key) {
		if (object.get(key) instanceof String value && !value.isBlank()) {
			return value;
		}
		throw new TracePacketsException("CNI network configuration: \"" + key + "\" missing or not a string in "
				+ CniJson.write(object));
	}

	private static Path pluginDirectory() {
		return PLUGIN_DIRECTORIES.stream().filter(Files::isDirectory).findFirst().orElse(PLUGIN_DIRECTORIES.getFirst());
	}

	/** A pod: a network namespace whose {@code eth0} the plugins set up. */
	public static final class Pod {

		static final String INTERFACE = "eth0";

		private final CniNetwork network;
		private final String name;
		private final String netnsName;
		private final Map<String, Object> capabilityArgs;
		/** The plugins that ADDed this pod, in order: those DEL takes back. */
		private final List<Map<String, Object>> added = new ArrayList<>();
		private Object result;

		private Pod(CniNetwork network, String name, String netnsName, Map<String, Object> capabilityArgs) {
			this.network = network;
			this.name = name;
			this.netnsName = netnsName;
			this.capabilityArgs = Map.copyOf(capabilityArgs);
		}

		/**
		 * The name the test gave it.
		 *
		 * @return the pod's name
		 */
		public String name() {
			return name;
		}

		/**
		 * Its namespace, for {@code trace.scope(...)}, {@code Traffic.fromNetnsPath(...)} and its
		 * {@code receiveUdp(port)}.
		 *
		 * @return its path under {@code /run/netns}
		 */
		public Path path() {
			return Path.of("/run/netns", netnsName);
		}

		/**
		 * The first IPv4 address the plugins gave it (no prefix length).
		 *
		 * @return e.g. {@code 10.22.0.2}
		 */
		public String address() {
			return ips().stream().map(ip -> ip.get("address").toString().split("/")[0]).filter(a -> a.contains("."))
					.findFirst().orElseThrow(() -> new TracePacketsException("the CNI result of pod " + name
							+ " has no IPv4 address: " + result()));
		}

		/**
		 * The gateway of its first IPv4 address, if the plugins gave one (bridge with {@code isGateway}).
		 *
		 * @return the gateway's address, or empty
		 */
		public Optional<String> gateway() {
			return ips().stream().filter(ip -> ip.get("address").toString().contains(".") && ip.get("gateway") != null)
					.map(ip -> ip.get("gateway").toString()).findFirst();
		}

		/**
		 * The last plugin's result, as it printed it (compact JSON).
		 *
		 * @return the result's JSON
		 */
		public String result() {
			return CniJson.write(result);
		}

		/**
		 * Runs a command in the pod (e.g. {@code ip route}); returns its output.
		 *
		 * @param command the program and its arguments
		 * @return what it printed
		 * @throws TracePacketsException when it exits with a non-zero status; the message holds its output
		 */
		public String exec(String... command) {
			return VethNamespaces.exec(netnsName, command);
		}

		@Override
		public String toString() {
			return "pod " + name + " (" + netnsName + ") of CNI network " + network.name;
		}

		private List<Map<String, Object>> ips() {
			Map<String, Object> object = CniJson.object(result, "the CNI result of pod " + name);
			List<Map<String, Object>> ips = new ArrayList<>();
			if (object.get("ips") instanceof List<?> list) {
				list.forEach(ip -> ips.add(CniJson.object(ip, "an ip of the CNI result")));
			}
			return ips;
		}

		/** DEL through the plugins that ADDed it, last first, each with the final result; then its namespace. */
		private void delete() {
			List<Map<String, Object>> reversed = new ArrayList<>(added);
			Collections.reverse(reversed);
			for (Map<String, Object> plugin : reversed) {
				try {
					network.run("DEL", plugin, this, result);
				} catch (TracePacketsException e) {
					LoggerFactory.getLogger(CniNetwork.class).warn("{}", e.getMessage());
				}
			}
			added.clear();
			VethNamespaces.quietly("netns", "del", netnsName);
		}
	}
}

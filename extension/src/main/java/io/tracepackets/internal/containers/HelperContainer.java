package io.tracepackets.internal.containers;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.StreamType;
import io.tracepackets.TracePacketsException;
import io.tracepackets.TracingUnavailableException;
import io.tracepackets.internal.netns.NamespaceEntry;
import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.testcontainers.DockerClientFactory;

/**
 * Enters a container's network namespace through its engine: each command runs in a short-lived
 * helper container that shares the target's network namespace ({@code --network container:<id>})
 * with {@code CAP_NET_ADMIN} (nf_tables, the trace group) and {@code CAP_NET_RAW}, never
 * privileged, from the {@link HelperImage}. It works wherever the engine runs the target on this
 * kernel, whatever pid and mount namespaces this JVM is in; its packets are the container's own,
 * since they leave from the same namespace. Helpers carry Testcontainers' session labels, so its
 * reaper removes one that a killed JVM left.
 */
public final class HelperContainer implements NamespaceEntry {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private final DockerClient client;
	private final String engine;
	private final String targetId;
	private final String targetName;

	public HelperContainer(DockerClient client, String engine, String targetId, String targetName) {
		this.client = client;
		this.engine = engine;
		this.targetId = targetId;
		this.targetName = targetName;
	}

	@Override
	public String how() {
		return "a helper container sharing the network namespace of container " + targetName + " (image "
				+ HelperImage.REPOSITORY + ", built from this machine's tools)";
	}

	@Override
	public String run(Map<String, byte[]> files, String... command) {
		String id = create(files, command);
		try {
			Output output = new Output(null, null);
			client.startContainerCmd(id).exec();
			int exit = client.waitContainerCmd(id).start().awaitStatusCode(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
			client.logContainerCmd(id).withStdOut(true).withStdErr(true).exec(output)
					.awaitCompletion(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
			if (exit != 0) {
				throw new TracePacketsException(String.join(" ", command) + " in container " + targetName + " (through "
						+ how() + ") failed (exit " + exit + "): " + explain(exit, output.stderr()));
			}
			return output.stdout();
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new TracePacketsException("interrupted while running " + String.join(" ", command) + " in container "
					+ targetName, e);
		} catch (TracePacketsException e) {
			throw e;
		} catch (RuntimeException e) {
			throw new TracePacketsException(String.join(" ", command) + " in container " + targetName + " (through "
					+ how() + ") failed: " + e.getMessage(), e);
		} finally {
			remove(id);
		}
	}

	@Override
	public Closeable stream(String ready, Consumer<String> lines, String... command) {
		String id = create(Map.of(), command);
		CompletableFuture<Void> isReady = new CompletableFuture<>();
		Output output = new Output(line -> {
			if (line.equals(ready)) {
				isReady.complete(null);
			} else {
				lines.accept(line);
			}
		}, isReady);
		try {
			client.startContainerCmd(id).exec();
			client.logContainerCmd(id).withStdOut(true).withStdErr(true).withFollowStream(true).exec(output);
			isReady.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
		} catch (InterruptedException e) {
			remove(id);
			Thread.currentThread().interrupt();
			throw new TracePacketsException("interrupted while starting " + String.join(" ", command) + " in container "
					+ targetName, e);
		} catch (ExecutionException | TimeoutException | RuntimeException e) {
			remove(id);
			throw new TracePacketsException(String.join(" ", command) + " in container " + targetName + " (through "
					+ how() + ") did not start: " + (e instanceof TimeoutException ? "no '" + ready + "' within "
					+ TIMEOUT.toSeconds() + " s" : e.getMessage()) + "; its output: " + output.stderr().strip(), e);
		}
		return () -> {
			try {
				output.close();
			} finally {
				remove(id);
			}
		};
	}

	private String create(Map<String, byte[]> files, String... command) {
		String image = HelperImage.on(client, engine);
		Map<String, String> labels = new HashMap<>(DockerClientFactory.DEFAULT_LABELS);
		labels.put(HelperImage.LABEL, "netns");
		String id;
		try {
			id = client.createContainerCmd(image)
					.withCmd(command)
					.withLabels(labels)
					.withHostConfig(HostConfig.newHostConfig()
							.withNetworkMode("container:" + targetId)
							.withCapAdd(Capability.NET_ADMIN, Capability.NET_RAW))
					.exec()
					.getId();
		} catch (RuntimeException e) {
			throw new TracingUnavailableException("entering the network namespace of container " + targetName,
					"the engine did not create a helper container sharing it (--network container:" + targetId
							+ " --cap-add NET_ADMIN --cap-add NET_RAW): " + e.getMessage(), e);
		}
		if (!files.isEmpty()) {
			try {
				client.copyArchiveToContainerCmd(id).withRemotePath("/")
						.withTarInputStream(new ByteArrayInputStream(HelperImage.tar(files))).exec();
			} catch (RuntimeException e) {
				remove(id);
				throw new TracePacketsException("cannot copy files into the helper container of " + targetName + ": "
						+ e.getMessage(), e);
			}
		}
		return id;
	}

	private void remove(String id) {
		try {
			client.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
		} catch (RuntimeException e) {
			// already gone; Testcontainers' reaper removes what is left by its labels
		}
	}

	/** Adds the likely cause to a tool's error: a tool this machine lacks is not in the image either. */
	private static String explain(int exit, String stderr) {
		String text = stderr.strip();
		if (exit == 127 || text.contains("not found")) {
			return text + " (the helper image holds this machine's own tools: install the missing one here,"
					+ " e.g. apt-get install nftables iptables iproute2 socat)";
		}
		return text;
	}

	/** Collects a container's output, or hands its stdout on line by line. */
	private static final class Output extends ResultCallback.Adapter<Frame> {
		private final Consumer<String> lines;
		private final CompletableFuture<Void> ended;
		private final StringBuilder stdout = new StringBuilder();
		private final StringBuilder stderr = new StringBuilder();
		private final StringBuilder partial = new StringBuilder();

		Output(Consumer<String> lines, CompletableFuture<Void> ended) {
			this.lines = lines;
			this.ended = ended;
		}

		@Override
		public void onNext(Frame frame) {
			String text = new String(frame.getPayload(), StandardCharsets.UTF_8);
			synchronized (this) {
				if (frame.getStreamType() == StreamType.STDERR) {
					stderr.append(text);
					return;
				}
				if (lines == null) {
					stdout.append(text);
					return;
				}
				partial.append(text);
				int newline;
				while ((newline = partial.indexOf("\n")) >= 0) {
					String line = partial.substring(0, newline);
					partial.delete(0, newline + 1);
					lines.accept(line);
				}
			}
		}

		@Override
		public void onComplete() {
			super.onComplete();
			if (ended != null) {
				ended.completeExceptionally(new TracePacketsException("it ended"));
			}
		}

		synchronized String stdout() {
			return stdout.toString();
		}

		synchronized String stderr() {
			return stderr.toString();
		}
	}
}

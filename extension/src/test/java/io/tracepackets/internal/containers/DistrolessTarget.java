package io.tracepackets.internal.containers;

import com.github.dockerjava.api.DockerClient;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;

/**
 * A running container whose image has no tools at all, as a distroless one: the host's static
 * busybox at {@code /opt/busybox}, off {@code PATH} and without applet links, so {@code docker exec}
 * finds nothing to run; it only sleeps. Built locally, FROM scratch, never pulled.
 */
public final class DistrolessTarget {

	private static final String IMAGE = "tracepackets/distroless-test:local";

	private DistrolessTarget() {
	}

	/** Starts one; the caller stops it. */
	public static GenericContainer<?> start() throws IOException, InterruptedException {
		DockerClient client = DockerClientFactory.instance().client();
		ByteArrayOutputStream context = new ByteArrayOutputStream();
		try (TarArchiveOutputStream tar = new TarArchiveOutputStream(context)) {
			HelperImage.put(tar, "Dockerfile", "FROM scratch\nCOPY busybox /opt/busybox\nCMD [\"/opt/busybox\", \"sleep\", \"3600\"]\n"
					.getBytes(StandardCharsets.UTF_8), 0644);
			HelperImage.put(tar, "busybox", Files.readAllBytes(Path.of("/bin/busybox")), 0755);
		}
		client.buildImageCmd(new ByteArrayInputStream(context.toByteArray())).withTags(Set.of(IMAGE)).withPull(false)
				.start().awaitImageId(120, TimeUnit.SECONDS);
		GenericContainer<?> target = new GenericContainer<>(IMAGE);
		target.start();
		return target;
	}

	/** A helper into {@code target}'s network namespace. */
	public static HelperContainer helper(GenericContainer<?> target) {
		return new HelperContainer(target.getDockerClient(), "test", target.getContainerId(), "distroless");
	}
}

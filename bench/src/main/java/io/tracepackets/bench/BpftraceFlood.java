package io.tracepackets.bench;

import io.tracepackets.testing.VethNamespaces;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The same flood under Debian's bpftrace: the tracer's seven tracepoints, filtered in the kernel
 * to the two namespaces through the skb's device (a BTF struct cast; bpftrace 0.17 has no netns
 * builtin), one printf line per event into a pipe this class counts. bpftrace reports what its
 * perf buffers dropped as "Lost N events".
 */
final class BpftraceFlood {

	private static final Pattern LOST = Pattern.compile("Lost (\\d+) events");
	private static final String[] TRACEPOINTS = {"skb:kfree_skb", "skb:consume_skb", "net:netif_receive_skb",
			"net:net_dev_queue", "net:net_dev_start_xmit", "net:netif_rx", "skb:skb_copy_datagram_iovec"};

	record Result(UdpFlood.Result flood, long events, long lost, double attachSeconds, double bpftraceCores,
			CpuUsage.Sample cpu, String script) {
		double eventsPerSecond() {
			return events / flood.seconds();
		}
	}

	private final AtomicLong events = new AtomicLong();
	private final AtomicLong lost = new AtomicLong();
	private final CountDownLatch attached = new CountDownLatch(1);

	static String script(long senderInode, long receiverInode) {
		StringBuilder probes = new StringBuilder();
		for (String tracepoint : TRACEPOINTS) {
			probes.append(probes.isEmpty() ? "" : ", ").append("tracepoint:").append(tracepoint);
		}
		String inum = "((struct sk_buff *)args->skbaddr)->dev->nd_net.net->ns.inum";
		return probes + "\n/ " + inum + " == " + senderInode + " || " + inum + " == " + receiverInode + " /\n{\n"
				+ "\tprintf(\"%llu %s %llx %u %d %s\\n\", nsecs, probe, args->skbaddr, " + inum + ", pid, comm);\n}\n";
	}

	static Result measure(UdpFlood flood, VethNamespaces pair, double seconds, Path workDir) throws Exception {
		return new BpftraceFlood().run(flood, pair, seconds, workDir);
	}

	private Result run(UdpFlood flood, VethNamespaces pair, double seconds, Path workDir) throws Exception {
		String script = script(pair.leftInode(), pair.rightInode());
		Path file = workDir.resolve("flood.bt");
		Files.writeString(file, script);
		long started = System.nanoTime();
		Process bpftrace = new ProcessBuilder("bpftrace", file.toString()).start();
		Thread out = Thread.ofPlatform().name("bpftrace-stdout").start(() -> count(bpftrace.getInputStream()));
		Thread err = Thread.ofPlatform().name("bpftrace-stderr").start(() -> count(bpftrace.getErrorStream()));
		try {
			if (!attached.await(120, TimeUnit.SECONDS)) {
				throw new IllegalStateException("bpftrace did not attach within 120 s");
			}
			double attachSeconds = (System.nanoTime() - started) / 1e9;
			Thread.sleep(500);
			long before = events.get();
			CpuUsage cpu = CpuUsage.start();
			long bpftraceCpu0 = processCpuTicks(bpftrace.pid());
			long wall0 = System.nanoTime();
			UdpFlood.Result result = flood.run(seconds);
			CpuUsage.Sample sample = cpu.stop();
			double bpftraceCores = (processCpuTicks(bpftrace.pid()) - bpftraceCpu0) / 100.0
					/ ((System.nanoTime() - wall0) / 1e9);
			waitUntilQuiet();
			Commands.run("kill", "-INT", Long.toString(bpftrace.pid()));
			bpftrace.waitFor(30, TimeUnit.SECONDS);
			out.join(10_000);
			err.join(10_000);
			return new Result(result, events.get() - before, lost.get(), attachSeconds, bpftraceCores, sample, script);
		} finally {
			if (bpftrace.isAlive()) {
				bpftrace.destroyForcibly();
			}
		}
	}

	/** Lets bpftrace print what its buffers still hold: until no line arrives for 500 ms. */
	private void waitUntilQuiet() throws InterruptedException {
		long seen = -1;
		while (events.get() != seen) {
			seen = events.get();
			Thread.sleep(500);
		}
	}

	private void count(InputStream stream) {
		try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8), 1 << 20)) {
			for (String line = lines.readLine(); line != null; line = lines.readLine()) {
				if (!line.isEmpty() && Character.isDigit(line.charAt(0))) {
					events.incrementAndGet();
				} else if (line.startsWith("Attaching")) {
					attached.countDown();
				} else {
					Matcher matcher = LOST.matcher(line);
					if (matcher.find()) {
						lost.addAndGet(Long.parseLong(matcher.group(1)));
					}
				}
			}
		} catch (IOException e) {
			// The pipe closes when bpftrace exits.
		}
	}

	/** utime + stime of a process, in clock ticks (USER_HZ = 100 on Linux). */
	private static long processCpuTicks(long pid) throws IOException {
		String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
		String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
		return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
	}
}

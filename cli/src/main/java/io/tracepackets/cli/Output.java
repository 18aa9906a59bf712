package io.tracepackets.cli;

import io.tracepackets.PacketEvent;
import io.tracepackets.assertj.error.PwruFormat;
import io.tracepackets.internal.evidence.JsonLines;
import io.tracepackets.internal.evidence.Pcapng;
import io.tracepackets.internal.live.LiveTrace;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Where events are written, in the format asked for. */
abstract class Output implements AutoCloseable {

	/** The output chosen by the options: standard output unless --output-file. */
	static Output open(CliOptions options, OutputStream stdout, long startNanos) throws IOException {
		OutputStream out = options.outputFile() == null ? new Unclosed(stdout) : Main.file(options.outputFile());
		return switch (options.format()) {
			case TEXT -> new Text(out, startNanos, options.stack(), options.outputMeta());
			case JSON -> new Json(out);
			case PCAPNG -> new PcapngOutput(out, options.live().snapLength());
		};
	}

	abstract void write(PacketEvent event) throws IOException;

	abstract void flush() throws IOException;

	/** Whether the reader went away (a closed pipe): nothing more can be written. */
	boolean failed() {
		return false;
	}

	@Override
	public abstract void close() throws IOException;

	/** A text output: UTF-8 lines, buffered, flushed and closed with the stream. */
	private abstract static class Lines extends Output {

		final BufferedWriter out;

		Lines(OutputStream stream) {
			this.out = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8));
		}

		@Override
		void flush() throws IOException {
			out.flush();
		}

		@Override
		public void close() throws IOException {
			out.close();
		}
	}

	/** pwru's columns, a header first; with --stack, each drop's stack below it. */
	private static final class Text extends Lines {

		/** Distinct drop sentences remembered as said. */
		private static final int EXPLAINED = 4096;

		private final long startNanos;
		/** Each packet's latest time shown, for the HOP column, in fixed memory. */
		private final HopTimes hops = new HopTimes();
		private final boolean stack;
		private boolean headerWritten;
		/**
		 * The drop sentences already said, least recently said out first: a sentence names an address
		 * and a port, of which a flood has many, so a set of them all would grow without end.
		 */
		private final java.util.Set<String> explained = RecentSets.atMost(EXPLAINED);

		private final boolean meta;

		Text(OutputStream stream, long startNanos, boolean stack, boolean meta) {
			super(stream);
			this.startNanos = startNanos;
			this.stack = stack;
			this.meta = meta;
		}

		@Override
		void write(PacketEvent event) throws IOException {
			if (!headerWritten) {
				out.write(PwruFormat.header());
				headerWritten = true;
			}
			out.write(PwruFormat.line(event, startNanos, hops.previous(event)));
			if (meta) {
				// pwru's --output-meta: the skb's fields the columns do not show
				out.write(String.format(java.util.Locale.ROOT, "    meta: netns=%d mark=0x%x ifindex=%d iface=%s"
						+ " ethertype=0x%04x len=%d%n", event.netns(), event.mark(), event.ifindex(),
						event.interfaceName() == null ? "-" : event.interfaceName(), event.etherType(), event.length()));
			}
			out.write(PwruFormat.culprit(event));
			Optional<String> whyNoCulprit = event.whyNoCulprit();
			if (event.isDrop() && event.culprit().isEmpty() && whyNoCulprit.isPresent()
					&& LiveTrace.namesItsCulprit(event)) {
				// why a rule's or program's drop names none; other drops' sentences below say what did
				out.write(PwruFormat.noCulprit(whyNoCulprit.get()));
			}
			if (event.isDrop()) {
				// what the drop meant, as a failing test's message says it: once per distinct sentence
				for (String line : PwruFormat.dropExplanation(event)) {
					if (explained.add(line)) {
						out.write(line);
					}
				}
			}
			if (stack) {
				for (String frame : event.stack()) {
					out.write("    " + frame + "\n");
				}
			}
		}

	}

	/** docs/evidence.md's JSON lines, without the file's first (summary) line. */
	private static final class Json extends Lines {

		Json(OutputStream stream) {
			super(stream);
		}

		@Override
		void write(PacketEvent event) throws IOException {
			out.write(JsonLines.line(event, null));
			out.write('\n');
		}
	}

	private static final class PcapngOutput extends Output {

		private final Pcapng pcapng;

		PcapngOutput(OutputStream out, int snapLength) throws IOException {
			this.pcapng = new Pcapng(out, snapLength);
		}

		@Override
		void write(PacketEvent event) throws IOException {
			pcapng.write(event, null);
		}

		@Override
		void flush() throws IOException {
			pcapng.flush();
		}

		@Override
		public void close() throws IOException {
			pcapng.close();
		}
	}

	/** Standard output stays open after the trace: the summary and the JVM may still write. */
	private static final class Unclosed extends java.io.FilterOutputStream {

		Unclosed(OutputStream out) {
			super(out);
		}

		@Override
		public void write(byte[] b, int off, int len) throws IOException {
			out.write(b, off, len);
		}

		@Override
		public void close() throws IOException {
			flush();
		}
	}
}

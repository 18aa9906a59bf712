package io.tracepackets.internal.symbols;

import io.tracepackets.TracingUnavailableException;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The kernel's code symbols from {@code /proc/kallsyms}, to symbolize stack addresses and to check
 * function names before attaching probes. Only text symbols ({@code t T}, and {@code w W} in case a
 * weak one is code) are kept, sorted by address in primitive arrays; the {@code __pfx_} padding
 * symbols before each function (half of kallsyms on kernels with CONFIG_FUNCTION_PADDING) are
 * dropped, as no return address lies in them. Immutable.
 *
 * <p>Symbols of pseudo-modules, BPF programs ({@code bpf_prog_<tag>_<name> [bpf]}, listed when
 * {@code net.core.bpf_jit_kallsyms=1}) and trampolines ({@code [__builtin__ftrace]} and the like), are
 * kept to recognize such addresses, but are not kernel text nor function names. kallsyms is a
 * snapshot: load it after the tracer's own programs are loaded for their frames to be recognized.
 */
public final class Kallsyms {

	static final Path PROC_KALLSYMS = Path.of("/proc/kallsyms");

	/**
	 * How far past the last symbol of a region (the next symbol is another module's, or there is
	 * none) an address still counts as in it: kallsyms has no sizes, and an unsymbolized address
	 * there is more likely a BPF image or trampoline than a function longer than this.
	 */
	static final long TAIL_LIMIT = 0x10000;

	/** Markers ending vmlinux's text areas: the bytes from them on are not code. */
	private static final Set<String> END_MARKERS = Set.of("_etext", "_einittext");

	private static final String BPF_MODULE = "bpf";
	private static final String BUILTIN_PREFIX = "__builtin__";
	/** Patchable-entry padding before each function (CONFIG_FUNCTION_PADDING), not a function. */
	private static final String PADDING_PREFIX = "__pfx_";

	private final long[] addresses;
	private final String[] names;
	private final String[] modules;
	/** Name of each real kernel function to the index of its lowest address. */
	private final Map<String, Integer> firstIndex;
	/** Occurrence counts of the names that occur more than once (rare: static functions). */
	private final Map<String, Integer> repeats;

	private Kallsyms(long[] addresses, String[] names, String[] modules) {
		this.addresses = addresses;
		this.names = names;
		this.modules = modules;
		Map<String, Integer> index = HashMap.newHashMap(names.length);
		Map<String, Integer> counts = new HashMap<>();
		for (int i = 0; i < names.length; i++) {
			if (!isPseudoModule(modules[i]) && !END_MARKERS.contains(names[i])) {
				if (index.putIfAbsent(names[i], i) != null) {
					counts.merge(names[i], 2, (count, two) -> count + 1);
				}
			}
		}
		this.firstIndex = index;
		this.repeats = counts;
	}

	/**
	 * Reads {@code /proc/kallsyms} of the running kernel.
	 *
	 * @throws TracingUnavailableException if it cannot be read, or if {@code kptr_restrict} hides the
	 *         addresses from this process
	 */
	public static Kallsyms load() {
		byte[] text;
		try {
			text = Files.readAllBytes(PROC_KALLSYMS);
		} catch (IOException e) {
			throw new TracingUnavailableException("kernel symbols", "cannot read " + PROC_KALLSYMS + ": " + e, e);
		}
		Kallsyms symbols = parse(text);
		if (symbols.size() == 0) {
			throw new TracingUnavailableException("kernel symbols", PROC_KALLSYMS + " lists no text symbols");
		}
		return symbols;
	}

	/**
	 * Checks, without reading it all, that {@code /proc/kallsyms} can be read and shows addresses:
	 * what {@link #load()} would refuse, found at the cost of its first lines (the kernel formats
	 * the file as it is read, 5 MB of it), so that a tracer that loads its symbols only when an
	 * event needs them still fails at start for the reasons it would have then.
	 *
	 * @throws TracingUnavailableException as {@link #load()}
	 */
	public static void requireReadable() {
		requireReadable(PROC_KALLSYMS);
	}

	/** {@link #requireReadable()} of a file in kallsyms' format. */
	static void requireReadable(Path kallsyms) {
		byte[] start = new byte[4096];
		int length = 0;
		try (java.io.InputStream in = Files.newInputStream(kallsyms)) {
			for (int n; length < start.length && (n = in.read(start, length, start.length - length)) > 0;) {
				length += n;
			}
		} catch (IOException e) {
			throw new TracingUnavailableException("kernel symbols", "cannot read " + kallsyms + ": " + e, e);
		}
		int lastLine = length;
		while (lastLine > 0 && start[lastLine - 1] != '\n') {
			lastLine--;
		}
		if (lastLine == 0) {
			throw new TracingUnavailableException("kernel symbols", kallsyms + " lists no text symbols");
		}
		// Every address shown as 0 fails here as in a full parse; the first lines stand for the rest
		// (kptr_restrict hides all or none of them).
		Parser parser = new Parser(Arrays.copyOf(start, lastLine));
		for (int from = 0; from < lastLine;) {
			int end = from;
			while (end < lastLine && start[end] != '\n') {
				end++;
			}
			parser.line(from, end);
			from = end + 1;
		}
		parser.build();
	}

	/** Parses kallsyms text; see {@link #parse(List)}. */
	public static Kallsyms parse(Reader text) {
		StringWriter all = new StringWriter();
		try {
			text.transferTo(all);
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		return parse(all.toString().getBytes(StandardCharsets.ISO_8859_1));
	}

	/**
	 * Parses kallsyms lines, {@code address type name [module]} (module in brackets, tab-separated).
	 *
	 * @throws TracingUnavailableException if every address is zero (hidden by {@code kptr_restrict})
	 */
	public static Kallsyms parse(List<String> lines) {
		return parse(String.join("\n", lines).getBytes(StandardCharsets.ISO_8859_1));
	}

	/** Parses the bytes of kallsyms directly: ~120k lines, most of which are skipped unread. */
	private static Kallsyms parse(byte[] text) {
		Parser parser = new Parser(text);
		for (int start = 0; start < text.length; ) {
			int end = start;
			while (end < text.length && text[end] != '\n') {
				end++;
			}
			parser.line(start, end);
			start = end + 1;
		}
		return parser.build();
	}

	/** Number of text symbols kept. */
	public int size() {
		return addresses.length;
	}

	/**
	 * The function containing {@code address}: the symbol with the greatest start not above it (the
	 * first listed of aliases, as the kernel's own symbolizer picks). Empty below the first symbol, in
	 * the gap after a text area's end marker, and beyond {@link #TAIL_LIMIT} past a region's last symbol.
	 */
	public Optional<Symbol> symbolize(long address) {
		int i = indexOf(address);
		if (i < 0) {
			return Optional.empty();
		}
		return Optional.of(new Symbol(names[i], addresses[i], address - addresses[i], modules[i]));
	}

	/**
	 * Whether {@code address} lies in vmlinux's or a real module's code, as opposed to a BPF program,
	 * a trampoline, or nowhere known; stack rendering skips the latter.
	 */
	public boolean isKernelText(long address) {
		int i = indexOf(address);
		return i >= 0 && !isPseudoModule(modules[i]);
	}

	/** The (lowest, if several) address of kernel function {@code name}. */
	public OptionalLong address(String name) {
		Integer index = firstIndex.get(name);
		return index == null ? OptionalLong.empty() : OptionalLong.of(addresses[index]);
	}

	/**
	 * How many kernel text symbols are named {@code name}; more than one means attaching a kprobe by
	 * name is ambiguous (static functions of different files), so it needs an address or offset.
	 */
	public int count(String name) {
		return firstIndex.containsKey(name) ? repeats.getOrDefault(name, 1) : 0;
	}

	/** Names of the functions of vmlinux and modules, without BPF programs or trampolines. */
	public Set<String> functionNames() {
		return Collections.unmodifiableSet(firstIndex.keySet());
	}

	private int indexOf(long address) {
		int i = floor(address);
		if (i < 0 || END_MARKERS.contains(names[i])) {
			return -1;
		}
		int next = i + 1;
		while (next < addresses.length && addresses[next] == addresses[i]) {
			next++;
		}
		boolean regionEnds = next == addresses.length || !sameModule(modules[next], modules[i]);
		if (regionEnds && Long.compareUnsigned(address - addresses[i], TAIL_LIMIT) >= 0) {
			return -1;
		}
		return i;
	}

	/** Index of the first symbol with the greatest address {@code <= address} (unsigned), or -1. */
	private int floor(long address) {
		int low = 0;
		int high = addresses.length - 1;
		int found = -1;
		while (low <= high) {
			int mid = (low + high) >>> 1;
			if (Long.compareUnsigned(addresses[mid], address) <= 0) {
				found = mid;
				low = mid + 1;
			} else {
				high = mid - 1;
			}
		}
		while (found > 0 && addresses[found - 1] == addresses[found]) {
			found--;
		}
		return found;
	}

	private static boolean sameModule(String a, String b) {
		return a == null ? b == null : a.equals(b);
	}

	private static boolean isPseudoModule(String module) {
		return module != null && (module.equals(BPF_MODULE) || module.startsWith(BUILTIN_PREFIX));
	}

	@Override
	public String toString() {
		return "Kallsyms[" + addresses.length + " text symbols]";
	}

	/** Accumulates text symbols from kallsyms bytes, then sorts them into a {@link Kallsyms}. */
	private static final class Parser {

		private static final byte[] PADDING = PADDING_PREFIX.getBytes(StandardCharsets.ISO_8859_1);

		private final byte[] text;
		private long[] addresses = new long[1 << 16];
		private String[] names = new String[1 << 16];
		private String[] modules = new String[1 << 16];
		private final Map<String, String> moduleNames = new HashMap<>();
		private int count;
		private int lines;
		private boolean anyNonZero;

		Parser(byte[] text) {
			this.text = text;
		}

		void line(int start, int end) {
			while (end > start && (text[end - 1] == '\r' || text[end - 1] == ' ')) {
				end--;
			}
			if (start == end) {
				return;
			}
			long address = 0;
			int pos = start;
			for (; pos < end && text[pos] != ' '; pos++) {
				int digit = Character.digit(text[pos], 16);
				if (digit < 0) {
					throw notKallsyms(start, end);
				}
				address = (address << 4) | digit;
			}
			if (pos == start || pos + 3 > end || text[pos + 2] != ' ') {
				throw notKallsyms(start, end);
			}
			lines++;
			anyNonZero |= address != 0;
			byte type = text[pos + 1];
			if (type != 't' && type != 'T' && type != 'w' && type != 'W') {
				return;
			}
			int nameStart = pos + 3;
			int nameEnd = nameStart;
			while (nameEnd < end && text[nameEnd] != '\t' && text[nameEnd] != ' ') {
				nameEnd++;
			}
			// Padding symbols are half of kallsyms and never contain a return address: not kept.
			if (Arrays.equals(text, nameStart, Math.min(nameEnd, nameStart + PADDING.length), PADDING, 0, PADDING.length)) {
				return;
			}
			String module = null;
			int open = indexOf('[', nameEnd, end);
			int close = open < 0 ? -1 : indexOf(']', open + 1, end);
			if (close > open + 1) {
				module = moduleNames.computeIfAbsent(new String(text, open + 1, close - open - 1, StandardCharsets.ISO_8859_1), m -> m);
			}
			if (count == addresses.length) {
				addresses = Arrays.copyOf(addresses, count * 2);
				names = Arrays.copyOf(names, count * 2);
				modules = Arrays.copyOf(modules, count * 2);
			}
			addresses[count] = address;
			names[count] = new String(text, nameStart, nameEnd - nameStart, StandardCharsets.ISO_8859_1);
			modules[count] = module;
			count++;
		}

		private int indexOf(char wanted, int from, int end) {
			for (int i = from; i < end; i++) {
				if (text[i] == wanted) {
					return i;
				}
			}
			return -1;
		}

		private IllegalArgumentException notKallsyms(int start, int end) {
			return new IllegalArgumentException("not a kallsyms line: '" + new String(text, start, end - start, StandardCharsets.ISO_8859_1) + "'");
		}

		Kallsyms build() {
			if (lines > 0 && !anyNonZero) {
				throw new TracingUnavailableException("kernel symbols", "/proc/kallsyms shows every address as 0:"
						+ " /proc/sys/kernel/kptr_restrict hides them from this process."
						+ " Run as root (CAP_SYSLOG) with kernel.kptr_restrict at 0 or 1, e.g. `sysctl -w kernel.kptr_restrict=1`");
			}
			int[] order = AddressOrder.sort(addresses, count);
			long[] sortedAddresses = new long[count];
			String[] sortedNames = new String[count];
			String[] sortedModules = new String[count];
			for (int i = 0; i < count; i++) {
				int from = order[i];
				sortedAddresses[i] = addresses[from];
				sortedNames[i] = names[from];
				sortedModules[i] = modules[from];
			}
			return new Kallsyms(sortedAddresses, sortedNames, sortedModules);
		}
	}
}

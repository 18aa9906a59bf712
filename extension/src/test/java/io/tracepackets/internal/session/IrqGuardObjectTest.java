package io.tracepackets.internal.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.tracepackets.internal.bpf.ObjectDump;
import org.junit.jupiter.api.Test;

/**
 * The two builds of the probes (bpf/Makefile) as the jar carries them: in the guarded one every
 * tracing program (tp_btf, fentry, fexit: the ones the kernel can run again on a CPU while they
 * run, and that may call the kfuncs) turns interrupts off once and back on once; kprobes and the
 * marker do not; and the plain one calls neither kfunc, so it loads where they do not exist. A
 * probe added without the guard fails here, not as a skipped run on a 7.x kernel. Read from the
 * objects' relocations and symbols, dumped by {@code llvm-objdump}.
 */
class IrqGuardObjectTest {

	private static final String OBJDUMP = "llvm-objdump";
	private static final List<String> KFUNCS = List.of("bpf_local_irq_save", "bpf_local_irq_restore");
	/** {@code 0000000000000000 g     F tp_btf/kfree_skb	00000000000033b0 kfree_skb}. */
	private static final Pattern PROGRAM = Pattern.compile("^([0-9a-f]{16}) g +F (\\S+)\\s+([0-9a-f]{16}) (\\w+)$");
	/** {@code RELOCATION RECORDS FOR [tp_btf/kfree_skb]:}. */
	private static final Pattern SECTION = Pattern.compile("^RELOCATION RECORDS FOR \\[(\\S+)]:$");
	/** {@code 00000000000003b8 R_BPF_64_32              bpf_local_irq_save}. */
	private static final Pattern RELOCATION = Pattern.compile("^([0-9a-f]{16}) R_BPF_\\w+\\s+(\\w+)$");

	@Test
	void every_tracing_program_of_the_guarded_build_turns_interrupts_off_once_and_on_once() throws Exception {
		Map<String, Map<String, Integer>> calls = kfuncCalls(ProbeObject.IRQS_OFF_RESOURCE);
		List<String> tracing = new ArrayList<>();
		List<String> wrong = new ArrayList<>();
		calls.forEach((program, counts) -> {
			String section = program.substring(0, program.indexOf(' '));
			boolean traces = section.startsWith("tp_btf/") || section.equals("fentry") || section.startsWith("fentry/")
					|| section.startsWith("fexit/");
			int expected = traces ? 1 : 0;
			if (traces) {
				tracing.add(program);
			}
			for (String kfunc : KFUNCS) {
				if (counts.getOrDefault(kfunc, 0) != expected) {
					wrong.add(program + ": " + kfunc + " called " + counts.getOrDefault(kfunc, 0) + " times, not "
							+ expected);
				}
			}
		});
		assertThat(wrong).as("programs of %s", ProbeObject.IRQS_OFF_RESOURCE).isEmpty();
		// the seven tracepoints, five fentry templates, four copy and three entry-and-return pairs
		assertThat(tracing).as("tracing programs found").hasSize(7 + 5 + 4 + 3 * 2);
	}

	@Test
	void the_plain_build_calls_neither_kfunc() throws Exception {
		Map<String, Map<String, Integer>> calls = kfuncCalls(ProbeObject.PLAIN_RESOURCE);
		assertThat(calls).as("programs of %s", ProbeObject.PLAIN_RESOURCE).isNotEmpty();
		assertThat(calls.values()).allSatisfy(counts -> assertThat(counts).isEmpty());
	}

	/** Per program ("section name"), how many times it calls each kfunc of {@link #KFUNCS}. */
	private static Map<String, Map<String, Integer>> kfuncCalls(String resource) throws Exception {
		Path object = object(resource);
		// the programs: each section's global functions, by offset within the section
		Map<String, TreeMap<Long, String>> programs = new TreeMap<>();
		Map<String, Long> ends = new TreeMap<>();
		Map<String, Map<String, Integer>> calls = new TreeMap<>();
		for (String line : objdump(object, "-t")) {
			Matcher m = PROGRAM.matcher(line.strip());
			if (m.matches()) {
				String program = m.group(2) + " " + m.group(4);
				long start = Long.parseUnsignedLong(m.group(1), 16);
				programs.computeIfAbsent(m.group(2), s -> new TreeMap<>()).put(start, program);
				ends.put(program, start + Long.parseUnsignedLong(m.group(3), 16));
				calls.put(program, new TreeMap<>());
			}
		}
		String section = null;
		for (String line : objdump(object, "-r")) {
			Matcher s = SECTION.matcher(line.strip());
			if (s.matches()) {
				section = s.group(1);
				continue;
			}
			Matcher r = RELOCATION.matcher(line.strip());
			// .BTF's own relocations name the kfuncs too (its extern declarations): programs' only
			if (r.matches() && KFUNCS.contains(r.group(2)) && programs.containsKey(section)) {
				long offset = Long.parseUnsignedLong(r.group(1), 16);
				Map.Entry<Long, String> owner = programs.getOrDefault(section, new TreeMap<>()).floorEntry(offset);
				assertThat(owner).as("the program of %s's call at %s+%x", r.group(2), section, offset).isNotNull();
				assertThat(offset).as("%s's call inside %s", r.group(2), owner.getValue())
						.isLessThan(ends.get(owner.getValue()));
				calls.get(owner.getValue()).merge(r.group(2), 1, Integer::sum);
			}
		}
		return calls;
	}

	private static Path object(String resource) throws URISyntaxException {
		URL url = IrqGuardObjectTest.class.getClassLoader().getResource(resource);
		assertThat(url).as("%s on the classpath (built by bpf/Makefile)", resource).isNotNull();
		return Path.of(url.toURI());
	}

	private static List<String> objdump(Path object, String what) throws IOException, InterruptedException {
		return ObjectDump.lines(OBJDUMP, object, "the programs' kfunc calls", what);
	}
}

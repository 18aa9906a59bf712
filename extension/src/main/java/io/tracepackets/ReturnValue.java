package io.tracepackets;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a kernel function returned for a packet, where the return is a decision about it: a
 * route lookup's error, a netfilter hook's verdict, a socket filter's refusal. A function backend
 * (fentry/fexit, kprobe/kretprobe, kprobe-multi) records it for the functions of
 * {@link #RECORDED} only; the tracepoint backend sees no return at all.
 *
 * @param function the function, one of {@link #RECORDED}, e.g. {@code "ip_route_input_noref"}
 * @param value what it returned, e.g. -113
 * @param text the value as the kernel's headers name it: {@code "-EHOSTUNREACH"} for a negative
 *     error number, a drop reason's name where the function returns an {@code enum
 *     skb_drop_reason} (ip_route_input_noref since Linux 6.13), else the number ({@code "1"})
 */
public record ReturnValue(String function, int value, String text) {

	/**
	 * The functions whose return value the function backends record, and what it means:
	 * <ul>
	 * <li>{@code ip_route_input_noref} (the route lookup of a received IPv4 packet): 0 routed; an
	 * error, e.g. {@code -EHOSTUNREACH} (an {@code unreachable} route or no route for a forwarded
	 * packet), {@code -EINVAL} (a {@code blackhole} route, a martian or a reverse-path filter
	 * refusal), {@code -EXDEV} (rp_filter's strict check). Since Linux 6.13 it returns an
	 * {@code enum skb_drop_reason} instead (0 routed), shown by the reason's name;</li>
	 * <li>{@code nf_hook_slow} (a netfilter hook's rules ran): 1 accepted, {@code -EPERM} dropped
	 * (the skb is already freed when it returns), 0 stolen or queued;</li>
	 * <li>{@code sk_filter_trim_cap} (a socket's BPF filter, on delivery): 0 accepted,
	 * {@code -EPERM} dropped by the filter, {@code -ENOMEM} no memory.</li>
	 * </ul>
	 * Each costs an entry and a return probe per call (docs/benchmarks.md).
	 */
	public static final List<String> RECORDED = List.of("ip_route_input_noref", "nf_hook_slow", "sk_filter_trim_cap");

	/**
	 * Checks the components.
	 *
	 * @throws NullPointerException when {@code function} or {@code text} is null
	 */
	public ReturnValue {
		Objects.requireNonNull(function, "function");
		Objects.requireNonNull(text, "text");
	}

	/**
	 * The value as an int-returning function's: a negative error number by its name.
	 *
	 * @param function the function that returned it
	 * @param value the value
	 * @return e.g. {@code ReturnValue("ip_route_input_noref", -113, "-EHOSTUNREACH")}
	 */
	public static ReturnValue of(String function, int value) {
		return new ReturnValue(function, value, text(value));
	}

	/**
	 * A value as the kernel's headers write it.
	 *
	 * @param value an int a function returned
	 * @return {@code "-EHOSTUNREACH"} for -113, {@code "1"} for 1; a negative number no header names
	 *     stays a number
	 */
	public static String text(int value) {
		if (value < 0 && value >= -KernelErrno.MAX_ERRNO) {
			return KernelErrno.name(-value).map(name -> "-" + name).orElse(Integer.toString(value));
		}
		return Integer.toString(value);
	}

	/**
	 * The error, when the function failed.
	 *
	 * @return the name without sign, e.g. {@code "EHOSTUNREACH"}; empty for 0, a verdict, or a
	 *     drop reason
	 */
	public Optional<String> errno() {
		return value < 0 && value >= -KernelErrno.MAX_ERRNO ? KernelErrno.name(-value) : Optional.empty();
	}

	/**
	 * Whether the function refused the packet: a negative error for every function of
	 * {@link #RECORDED}, or, from ip_route_input_noref since 6.13, a drop reason (non-zero).
	 *
	 * @return true for {@code -EHOSTUNREACH}, {@code -EPERM}; false for 0 and nf_hook_slow's 1
	 */
	public boolean isError() {
		return value < 0 || value > 0 && function.equals("ip_route_input_noref");
	}

	/**
	 * What the value means for this function, in a word or two.
	 *
	 * @return e.g. {@code "accept"} for nf_hook_slow's 1, {@code "drop"} for its -EPERM; empty when
	 *     the error's name says it all
	 */
	public String meaning() {
		return switch (function) {
			case "nf_hook_slow" -> value == 1 ? "accept" : value == 0 ? "stolen or queued"
					: value == -KernelErrno.EPERM ? "drop" : "";
			case "sk_filter_trim_cap" -> value == 0 ? "accept" : value == -KernelErrno.EPERM ? "filtered out" : "";
			case "ip_route_input_noref" -> value == 0 ? "routed" : "";
			default -> "";
		};
	}

	/**
	 * As the trace shows it: {@code "-EHOSTUNREACH"}, {@code "1 (accept)"}, {@code "-EPERM (drop)"}.
	 *
	 * @return the text, with the meaning when there is one
	 */
	@Override
	public String toString() {
		String meaning = meaning();
		return meaning.isEmpty() ? text : text + " (" + meaning + ")";
	}
}

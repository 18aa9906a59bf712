package io.tracepackets;

/** Kernel stack frames and locations as the kernel prints them, and the function each names. */
final class FrameNames {

	private FrameNames() {
	}

	/** {@code "nf_hook_slow+0x7d [nf_tables]"} → {@code "nf_hook_slow"}. */
	static String functionOf(String frame) {
		int end = frame.length();
		for (int i = 0; i < frame.length(); i++) {
			char c = frame.charAt(i);
			if (c == '+' || c == ' ') {
				end = i;
				break;
			}
		}
		return frame.substring(0, end);
	}
}

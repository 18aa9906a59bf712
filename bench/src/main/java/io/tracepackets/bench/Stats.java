package io.tracepackets.bench;

import java.util.Arrays;

/** Order statistics of a sample (nearest-rank), the way the report states them. */
record Stats(double[] sorted) {

	static Stats of(double[] values) {
		double[] copy = values.clone();
		Arrays.sort(copy);
		return new Stats(copy);
	}

	double percentile(double p) {
		int rank = (int) Math.ceil(p / 100 * sorted.length);
		return sorted[Math.clamp(rank - 1, 0, sorted.length - 1)];
	}

	double median() {
		return percentile(50);
	}

	double min() {
		return sorted[0];
	}

	double max() {
		return sorted[sorted.length - 1];
	}

	int count() {
		return sorted.length;
	}
}

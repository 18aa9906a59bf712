// SPDX-License-Identifier: Apache-2.0
/*
 * UDP flood for the reader benchmark: sendmmsg() batches of small datagrams to one address for
 * a fixed time, then prints "packets=<n> cpu_ms=<user+sys>" so the bench can see whether the
 * generator, not the tracer, was the limit. Unconnected on purpose: the ICMP port unreachable
 * replies would otherwise fail sends with ECONNREFUSED.
 *
 * usage: udpflood <ipv4> <port> <seconds>
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#define BATCH 64
#define PAYLOAD 32

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct sockaddr_in dst = { .sin_family = AF_INET };
	struct mmsghdr msgs[BATCH];
	struct iovec iov = { 0 };
	char payload[PAYLOAD] = "tracepackets bench";
	unsigned long long sent = 0;
	struct rusage usage;
	double end;
	int fd;

	if (argc != 4 || inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1) {
		fprintf(stderr, "usage: udpflood <ipv4> <port> <seconds>\n");
		return 2;
	}
	dst.sin_port = htons(atoi(argv[2]));
	end = now() + atof(argv[3]);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("socket");
		return 1;
	}
	iov.iov_base = payload;
	iov.iov_len = sizeof(payload);
	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < BATCH; i++) {
		msgs[i].msg_hdr.msg_name = &dst;
		msgs[i].msg_hdr.msg_namelen = sizeof(dst);
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	while (now() < end) {
		int n = sendmmsg(fd, msgs, BATCH, 0);

		if (n > 0)
			sent += n;
		else if (errno != ENOBUFS && errno != EAGAIN && errno != ECONNREFUSED) {
			perror("sendmmsg");
			return 1;
		}
	}
	getrusage(RUSAGE_SELF, &usage);
	printf("packets=%llu cpu_ms=%ld\n", sent,
	       (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000L
		       + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000);
	return 0;
}

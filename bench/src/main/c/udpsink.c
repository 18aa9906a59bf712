// SPDX-License-Identifier: Apache-2.0
/*
 * UDP listener for the assertion-latency benchmark, run in the receiving namespace: binds a port,
 * prints "ready", then reads and discards datagrams until SIGTERM, and prints "received=<n>".
 * Its receive buffer is forced large (root) so a burst never overflows it: the datagrams sent to
 * it must be delivered, not dropped with SOCKET_RCVBUFF, or "were not dropped" would not pass.
 *
 * usage: udpsink <port>
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define RCVBUF (32 << 20)

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY) };
	struct sigaction action = { .sa_handler = on_term }; /* no SA_RESTART: recv returns EINTR */
	unsigned long long received = 0;
	int rcvbuf = RCVBUF;
	char buffer[2048];
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: udpsink <port>\n");
		return 2;
	}
	addr.sin_port = htons(atoi(argv[1]));
	sigaction(SIGTERM, &action, NULL);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("socket");
		return 1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		perror("bind");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	while (!stop) {
		if (recv(fd, buffer, sizeof(buffer), 0) >= 0)
			received++;
		else if (errno != EINTR) {
			perror("recv");
			return 1;
		}
	}
	printf("received=%llu\n", received);
	return 0;
}

/* uring_connect.c: a plain program that connects a TCP socket through
 * io_uring (liburing's prep_connect), which no LD_PRELOAD hook sees, sends
 * a line and prints the answer. For the BPF path's tests.
 *
 *   uring_connect SERVER PORT */
#include <arpa/inet.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in6 dst = { .sin6_family = AF_INET6 };
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	char buf[256];
	ssize_t n;
	int s, rc;

	if (argc != 3 || inet_pton(AF_INET6, argv[1], &dst.sin6_addr) != 1) {
		fprintf(stderr, "usage: uring_connect SERVER PORT\n");
		return 64;
	}
	dst.sin6_port = htons((uint16_t)atoi(argv[2]));
	s = socket(AF_INET6, SOCK_STREAM, 0);
	if (s < 0 || (rc = io_uring_queue_init(4, &ring, 0)) < 0) {
		perror("uring_connect: setup");
		return 1;
	}
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_connect(sqe, s, (struct sockaddr *)&dst, sizeof dst);
	io_uring_submit(&ring);
	if (io_uring_wait_cqe(&ring, &cqe) < 0 || cqe->res < 0) {
		fprintf(stderr, "uring_connect: connect: %s\n",
			strerror(cqe ? -cqe->res : 0));
		return 1;
	}
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
	if (write(s, "hi\n", 3) != 3 || (n = read(s, buf, sizeof buf - 1)) <= 0)
		return 1;
	buf[n] = '\0';
	fputs(buf, stdout);
	return 0;
}

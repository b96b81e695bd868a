/* odmd.c: the host's network agent (odmd(8)): reads odm.conf, takes its
 * socket (one odmd per socket path: a lock, and never a path that is not
 * its own stale socket), makes its state directory, then splits in two:
 * the privileged parent (parent.c) and the unprivileged worker
 * (worker.c), which drops to agent.user, chroots into its state directory
 * and does everything else. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include "auth.h"
#include "defaults.h"
#include "dlog.h"
#include "genpage.h"
#include "hostconf.h"
#include "parent.h"
#include "worker.h"

#ifndef ODM_VERSION
#define ODM_VERSION "0.2"
#endif

#define ready_fd worker_ready_fd

static void usage(FILE *f)
{
	fprintf(f, "usage: odmd [-d|-f] [-v] [-n] [-c CONF]\n"
		   "  -c CONF   the host config (default $ODM_CONF or %s)\n"
		   "  -d        stay in the foreground, log to stderr\n"
		   "  -f        stay in the foreground (for systemd), log to "
		   "syslog\n"
		   "  -v        log every decision (debug level)\n"
		   "  -n        check the config and exit\n"
		   "  -V, --version   the version\n", ODM_DEFAULT_CONF);
}

/* The worker's user: agent.user, or nobody when the default one does
 * not exist. */
static struct passwd *worker_user(const struct odm_hostconf *hc)
{
	struct passwd *pw = getpwnam(hc->agent.user);

	if (!pw && strcmp(hc->agent.user, ODM_DEFAULT_ODMD_USER) == 0)
		pw = getpwnam("nobody");
	return pw;
}

/* Takes the socket path: a lock beside it says one odmd uses it; an
 * existing socket nobody answers on is a stale one of ours; anything else
 * at the path is somebody's and is left alone. Returns the listening
 * socket, or -1 with a message. */
static int take_socket(const char *path, int *lock_fd, struct stat *made)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char lock[sizeof sun.sun_path + 8], dir[sizeof sun.sun_path], *slash;
	struct stat st;
	int fd;

	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	snprintf(dir, sizeof dir, "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST) {
			dlog_err("%s: %s", dir, strerror(errno));
			return -1;
		}
	}
	snprintf(lock, sizeof lock, "%s.lock", path);
	*lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (*lock_fd < 0) {
		dlog_err("%s: %s", lock, strerror(errno));
		return -1;
	}
	if (flock(*lock_fd, LOCK_EX | LOCK_NB)) {
		dlog_err("%s: another odmd serves there", path);
		return -1;
	}
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			dlog_err("%s exists and is not a socket: not replacing "
				 "it", path);
			return -1;
		}
		unlink(path); /* ours, stale: the lock was free */
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof sun) ||
	    chmod(path, 0666) || listen(fd, SOMAXCONN) || lstat(path, made)) {
		dlog_err("%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* The state directory, made if need be and given to the worker's user
 * (mode 0700: so it must not be the folder of the socket, which every
 * user has to reach). */
static int take_state_dir(const char *path, const char *sock,
			  const struct passwd *pw)
{
	size_t n = strlen(path);
	int fd;

	while (n > 1 && path[n - 1] == '/')
		n--;
	if (strncmp(sock, path, n) == 0 && sock[n] == '/' &&
	    !strchr(sock + n + 1, '/')) {
		dlog_err("agent.state %s holds the socket %s: users could not "
			 "reach it", path, sock);
		return -1;
	}

	if (mkdir(path, 0700) && errno != EEXIST) {
		dlog_err("state %s: %s", path, strerror(errno));
		return -1;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fchown(fd, pw->pw_uid, pw->pw_gid) || fchmod(fd, 0700)) {
		dlog_err("state %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* In the worker: its user, no way back, its state directory as root. */
static int drop_privileges(const struct passwd *pw, const char *state)
{
#if !defined(__SANITIZE_ADDRESS__)
	/* (A sanitizer's runtime reads /proc at exit: no chroot then.) */
	if (chroot(state) || chdir("/")) {
		dlog_err("chroot %s: %s", state, strerror(errno));
		return -1;
	}
#else
	(void)state;
#endif
	if (setgroups(0, NULL) || setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		dlog_err("dropping privileges to %s: %s", pw->pw_name,
			 strerror(errno));
		return -1;
	}
	if (setuid(0) == 0) {
		dlog_err("the worker could become root again");
		return -1;
	}
	return 0;
}

/* Into the background; the caller waits until odmd serves (or fails) and
 * exits with that. Returns the pipe the worker writes to when ready. */
static int daemonize(void)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe2(p, O_CLOEXEC) || (pid = fork()) < 0) {
		dlog_err("fork: %s", strerror(errno));
		exit(1);
	}
	if (pid > 0) {
		close(p[1]);
		exit(read(p[0], &c, 1) == 1 ? 0 : 1);
	}
	close(p[0]);
	setsid();
	if (chdir("/")) {
		/* stays where it is */
	}
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		close(null);
	}
	return p[1];
}

static void more_files(void)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
		r.rlim_cur = r.rlim_max > 65536 ? 65536 : r.rlim_max;
		setrlimit(RLIMIT_NOFILE, &r);
	}
}

int main(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct odm_hostconf hc;
	const char *conf = getenv("ODM_CONF");
	bool debug = false, foreground = false, check = false;
	int opt, verbose = 0, lfd, lock_fd = -1, state_fd, sv[2], status;
	struct passwd *pw, wpw;
	struct stat made;
	char err[512];
	pid_t worker;

	while ((opt = getopt_long(argc, argv, "c:dfvnhV", longs, NULL)) != -1) {
		switch (opt) {
		case 'c': conf = optarg; break;
		case 'd': debug = true; break;
		case 'f': foreground = true; break;
		case 'v': verbose++; break;
		case 'n': check = true; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("odmd %s\n", ODM_VERSION); return 0;
		default: usage(stderr); return 64;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 64;
	}
	if (!conf || !conf[0])
		conf = ODM_DEFAULT_CONF;
	dlog_init(true, ODM_LOG_INFO);
	if (odm_hostconf_load(conf, true, &hc, err, sizeof err)) {
		dlog_err("%s", err);
		return 1;
	}
	if (!hc.agent.configured || !hc.net.ifname[0]) {
		dlog_err("%s: needs a network section naming its interface", conf);
		return 1;
	}
	if (hc.net.backend == ODM_BACKEND_EXEC &&
	    (!hc.net.exec[0] || hc.net.exec[0] != '/' || access(hc.net.exec, X_OK))) {
		dlog_err("%s: network.exec: '%s' is not an executable program "
			 "(an absolute path)", conf, hc.net.exec);
		return 1;
	}
	if (!(pw = worker_user(&hc))) {
		dlog_err("%s: agent.user: no user \"%s\"", conf, hc.agent.user);
		return 1;
	}
	wpw = *pw;
	wpw.pw_name = strdup(pw->pw_name);
	if (check) {
		printf("%s: ok\n", conf);
		return 0;
	}
	if (geteuid() != 0) {
		dlog_err("odmd configures addresses: it must start as root");
		return 1;
	}
	dlog_init(debug, verbose ? ODM_LOG_DEBUG
			 : hc.log_level >= 0 ? hc.log_level : ODM_LOG_INFO);
	auth_resolve(&hc.auth);
	more_files();
	if ((lfd = take_socket(hc.agent.socket, &lock_fd, &made)) < 0)
		return 1;
	if ((state_fd = take_state_dir(hc.agent.state, hc.agent.socket, &wpw)) < 0) {
		unlink(hc.agent.socket);
		return 1;
	}
	genpage_open(hc.agent.socket); /* before the worker: both map it */
	if (!debug && !foreground)
		ready_fd = daemonize();
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		dlog_err("socketpair: %s", strerror(errno));
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	worker = fork();
	if (worker < 0) {
		dlog_err("fork: %s", strerror(errno));
		return 1;
	}
	if (worker == 0) {
		close(sv[0]);
		close(lock_fd); /* the lock is the parent's alone */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		prctl(PR_SET_NAME, "odmd-worker");
		if (drop_privileges(&wpw, hc.agent.state))
			_exit(1);
		exit(worker_main(&hc, sv[1], lfd, state_fd)); /* atexit: a sanitizer's leak check */
	}
	close(sv[1]);
	close(lfd);
	close(state_fd);
	if (ready_fd >= 0) {
		close(ready_fd); /* the worker holds its own copy */
		ready_fd = -1;
	}
	status = parent_main(&hc, sv[0], worker);
	genpage_close();
	/* The socket goes, if it is still the one odmd made. */
	struct stat now;

	if (lstat(hc.agent.socket, &now) == 0 && now.st_ino == made.st_ino &&
	    now.st_dev == made.st_dev)
		unlink(hc.agent.socket);
	close(lock_fd);
	odm_hostconf_free(&hc);
	free(wpw.pw_name);
	return status;
}

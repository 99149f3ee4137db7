package rootless

/*
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int berth_outer_uid = -1;
static int berth_outer_gid = -1;
static int berth_joined_pid = 0;

// berth_pause_pid reads the pause process's PID from the file rootless
// commands share (see RunDir in paths.go: the two must agree) and checks
// that the process is still berth's pause process, not a reused PID.
static int berth_pause_pid(uid_t uid) {
	char path[PATH_MAX], buf[64];
	const char *run = getenv("XDG_RUNTIME_DIR");
	int n;
	if (run != NULL && run[0] == '/')
		n = snprintf(path, sizeof path, "%s/berth/pause.pid", run);
	else
		n = snprintf(path, sizeof path, "/tmp/berth-run-%u/berth/pause.pid", (unsigned)uid);
	if (n < 0 || n >= (int)sizeof path)
		return 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t r = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (r <= 0)
		return 0;
	buf[r] = 0;
	int pid = atoi(buf);
	if (pid <= 0)
		return 0;
	snprintf(path, sizeof path, "/proc/%d/comm", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	r = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (r <= 0)
		return 0;
	buf[r] = 0;
	if (strcmp(buf, "berth-pause\n") != 0)
		return 0;
	return pid;
}

// berth_rootless_join runs before the Go runtime starts its threads:
// setns(2) into a user namespace is refused to a multithreaded process, so
// this is the one place an unprivileged berth can join the namespaces its
// pause process holds. It joins when _BERTH_ROOTLESS_JOIN names the pause
// process (the Go side has just made it and re-executed), or when the
// pause PID file names a live one; otherwise it leaves the process alone
// and the Go side decides whether a namespace is needed.
__attribute__((constructor)) static void berth_rootless_join(void) {
	uid_t uid = geteuid();
	gid_t gid = getegid();
	if (uid == 0 || getenv("_BERTH_ROOTLESS_NOJOIN") != NULL)
		return;
	const char *want = getenv("_BERTH_ROOTLESS_JOIN");
	int pid = want != NULL ? atoi(want) : berth_pause_pid(uid);
	if (pid <= 0)
		return;
	char path[64], cwd[PATH_MAX];
	snprintf(path, sizeof path, "/proc/%d/ns/user", pid);
	int userfd = open(path, O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof path, "/proc/%d/ns/mnt", pid);
	int mntfd = open(path, O_RDONLY | O_CLOEXEC);
	if (userfd < 0 || mntfd < 0 || setns(userfd, CLONE_NEWUSER) < 0) {
		if (want != NULL) {
			fprintf(stderr, "Error: joining the user namespace of berth's pause process %d: %s\n", pid, strerror(errno));
			_exit(125);
		}
		// A stale PID file: the Go side makes a new pause process.
		if (userfd >= 0)
			close(userfd);
		if (mntfd >= 0)
			close(mntfd);
		return;
	}
	// Past this point the process is in the user namespace and cannot go
	// back: a failure is fatal.
	int havecwd = getcwd(cwd, sizeof cwd) != NULL;
	if (setns(mntfd, CLONE_NEWNS) < 0) {
		fprintf(stderr, "Error: joining the mount namespace of berth's pause process %d: %s\n", pid, strerror(errno));
		_exit(125);
	}
	close(userfd);
	close(mntfd);
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) {
		fprintf(stderr, "Error: becoming root in berth's user namespace: %s\n", strerror(errno));
		_exit(125);
	}
	setgroups(0, NULL);
	if (havecwd && chdir(cwd) < 0)
		chdir("/");
	berth_outer_uid = uid;
	berth_outer_gid = gid;
	berth_joined_pid = pid;
}

static int berth_rootless_uid(void) { return berth_outer_uid; }
static int berth_rootless_gid(void) { return berth_outer_gid; }
static int berth_rootless_pid(void) { return berth_joined_pid; }
*/
import "C"

// joined reports the IDs this process had before its constructor joined
// the pause process's namespaces, and that process's PID; ok is false
// when the constructor did not join.
func joined() (uid, gid, pid int, ok bool) {
	pid = int(C.berth_rootless_pid())
	if pid == 0 {
		return -1, -1, 0, false
	}
	return int(C.berth_rootless_uid()), int(C.berth_rootless_gid()), pid, true
}

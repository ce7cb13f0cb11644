/* Zero-copy request bodies on cleartext connections: a file range goes from
 * the page cache to the socket with sendfile(2), never through user space. */
#ifndef OSSIO__TRANSPORT_SENDFILE_H
#define OSSIO__TRANSPORT_SENDFILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* sendfile(2) of up to |len| bytes of |fd| at *off to the socket |sock|,
 * *off advanced by what went. Returns as sendfile does (errno set on -1;
 * 0: the file ended). Unlike a bare sendfile it never raises SIGPIPE in
 * the host (send() has MSG_NOSIGNAL, sendfile has no flag): SIGPIPE is
 * blocked in this thread around the call, and one it raised (also when it
 * moved some bytes first and returns their count) is taken back before
 * the mask is restored. */
ssize_t ossio__sendfile(int sock, int fd, uint64_t *off, size_t len);

#endif /* OSSIO__TRANSPORT_SENDFILE_H */

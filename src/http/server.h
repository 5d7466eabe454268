/*
 * The HTTP server on libmicrohttpd: an internal thread pool with epoll, the route table,
 * body limits, the Error object for every failure, one access-log line per request and a
 * graceful stop that lets requests in flight finish.
 * Ownership: http_server_start returns a server freed by http_server_stop.
 */
#ifndef SIGNET_HTTP_SERVER_H
#define SIGNET_HTTP_SERVER_H

#include "http/router.h"

#include <stdint.h>

struct app;
struct http_server;

/* Starts serving routes (n entries, kept by reference) on host:port (0 = any free port)
 * with `threads` workers. On failure writes one line to err and returns NULL. */
struct http_server *http_server_start(struct app *app, const struct route *routes, size_t n,
                                      const char *host, int port, unsigned threads,
                                      char *err, size_t err_len);
/* The port actually bound. */
int http_server_port(const struct http_server *s);
/* Stops accepting connections, waits up to grace_ms for requests in flight, then stops. */
void http_server_stop(struct http_server *s, int64_t grace_ms);

#endif

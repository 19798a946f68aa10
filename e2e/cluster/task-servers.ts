// Servers the scenarios, the demo and the benchmarks run as tasks of the lab's `shoal/busybox`
// image, each answering with its container's hostname (its short container ID), so a client
// can tell which replica answered.

/**
 * `sh -c` script: busybox httpd on port 80 serving the hostname (one process per connection, so
 * always listening), stopping at once on SIGTERM as a well-behaved server does.
 */
export const HTTP_HOSTNAME_SERVER =
  'mkdir -p /www && hostname > /www/index.html; trap "exit 0" TERM; httpd -f -p 80 -h /www & wait $!';

// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* test_common_config.c - the config file parser: defaults, every kind of
 * key, and the errors an operator would make. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "config.h"

static int load_text(struct rx_config *c, const char *text, char *err, size_t errlen)
{
	char path[] = "/tmp/rx-conf-XXXXXX";
	int fd = mkstemp(path), rc;

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		return -2;
	close(fd);
	rx_config_defaults(c);
	rc = rx_config_load(c, path, true, err, errlen);
	unlink(path);
	return rc;
}

int main(void)
{
	struct rx_config c;
	char err[512];

	rx_config_defaults(&c);
	CHECK(c.max_udp_payload == 1232);
	CHECK(c.port == 53);
	CHECK(c.nlisten == 2 && !strcmp(c.listen[1], "::"));
	CHECK(c.nsid && c.version[0] == '\0');
	CHECK(c.naxfr_allow == 0);
	CHECK(!strcmp(c.trust_anchor, "/usr/share/dns/root.key"));

	/* a missing file is fine only when the caller allows it */
	CHECK(rx_config_load(&c, "/nonexistent/rootxdp.conf", false, err, sizeof(err)) == 0);
	CHECK(rx_config_load(&c, "/nonexistent/rootxdp.conf", true, err, sizeof(err)) == -1);
	CHECK(strstr(err, "/nonexistent/rootxdp.conf") != NULL);

	CHECK(load_text(&c,
		"# comment\n"
		"interface = eth0 eth1\n"
		"interface = eth2   # appended\n"
		"xdp-mode = native\n"
		"identity = \"lax1 b\"\n"
		"version = \n"
		"max-udp-payload = 1400\n"
		"tcp-idle-timeout = 500ms\n"
		"sig-expire-margin = 2d\n"
		"axfr-allow = 198.51.100.0/24, 2001:db8::/32\n"
		"nsid = no\n", err, sizeof(err)) == 0);
	CHECK(c.ninterfaces == 3 && !strcmp(c.interfaces[2], "eth2"));
	CHECK(c.xdp_mode == RX_MODE_NATIVE);
	CHECK(!strcmp(c.identity, "lax1 b"));
	CHECK(c.max_udp_payload == 1400);
	CHECK(c.tcp_idle_timeout_ms == 500);
	CHECK(c.sig_expire_margin_s == 2 * 86400);
	CHECK(c.naxfr_allow == 2 && !strcmp(c.axfr_allow[1], "2001:db8::/32"));
	CHECK(!c.nsid);

	CHECK(load_text(&c, "max-udp-payload = 100\n", err, sizeof(err)) == -1);
	CHECK(strstr(err, ":1: max-udp-payload") != NULL);
	CHECK(load_text(&c, "colour = blue\n", err, sizeof(err)) == -1);
	CHECK(strstr(err, "unknown key 'colour'") != NULL);
	CHECK(load_text(&c, "port = 53\nport = 54\n", err, sizeof(err)) == -1);
	CHECK(strstr(err, ":2: 'port' set twice") != NULL);
	CHECK(load_text(&c, "just words\n", err, sizeof(err)) == -1);
	CHECK(load_text(&c, "xdp-mode = turbo\n", err, sizeof(err)) == -1);
	CHECK(load_text(&c, "nsid = maybe\n", err, sizeof(err)) == -1);
	return check_done();
}

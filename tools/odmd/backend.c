/* backend.c: odmd's backend chosen by odm.conf (network.backend). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "backend.h"
#include "sim.h"

int odmd_backend_open(struct odmd_backend *b, const struct odm_hc_network *net,
		      char *err, size_t errlen)
{
	b->net = net;
	if (net->backend == ODM_BACKEND_EXEC) {
		if (!net->exec[0] || access(net->exec, X_OK)) {
			snprintf(err, errlen, "network.exec: '%s' is not an "
				 "executable program", net->exec);
			return -1;
		}
		b->name = "exec";
		b->request = odmd_exec_request;
		b->state = NULL;
		return 0;
	}
	b->name = "sim";
	b->request = odmd_sim_request;
	b->state = calloc(1, sizeof(struct odmd_sim));
	if (!b->state) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	odmd_sim_init(b->state, net);
	return 0;
}

/* fuzz_proto.c: libFuzzer harness for odmd's wire protocol codec (what
 * odmd and every engine parse from the other side). Every input is
 * decoded from an exact-size copy; what decodes must re-encode to the very
 * same bytes and decode again to the same message; what does not decode
 * must say why with one of the codec's own errors. tests/run runs it for a
 * bounded time under ASan+UBSan. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1), again[ODMD_MSG_MAX];
	struct odmd_msg m, back;
	int rc;

	memcpy(copy, data, size);
	rc = odmd_decode(copy, size, &m);
	if (rc > 0) {
		if (rc > (int)size || rc > ODMD_MSG_MAX ||
		    odmd_encode(&m, again, sizeof again) != rc ||
		    memcmp(again, data, (size_t)rc) ||
		    odmd_decode(again, (size_t)rc, &back) != rc ||
		    memcmp(&m, &back, sizeof m))
			abort();
	} else if (rc < 0) {
		if (rc < ODMD_E_LAST || !odmd_strerror(rc)[0])
			abort();
	} else if (size >= ODMD_MSG_MAX) {
		abort(); /* a whole message fits: "read more" is wrong */
	}
	free(copy);
	return 0;
}

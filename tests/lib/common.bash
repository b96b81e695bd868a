# common.bash: what every bats test loads (`load ../lib/common`): bats-support,
# bats-assert, the paths of the tree and the network helpers of netns.bash.
#   TOP   the repository root
#   BUILD the build directory (ODM_BUILD, default $TOP/build)
#   LIB   the preload library (ODM_LIB, default $TOP/preload/libodm.so)
# Apply LD_PRELOAD=$LIB to the command under test only, never to the shell.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
BUILD=${ODM_BUILD:-$TOP/build}
LIB=${ODM_LIB:-$TOP/preload/libodm.so}
export TOP BUILD LIB

# shellcheck source=tests/lib/netns.bash
source "$(dirname "${BASH_SOURCE[0]}")/netns.bash"

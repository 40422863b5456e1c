// SPDX-License-Identifier: GPL-2.0
#include "common/assert.h"

#include <cstdio>
#include <cstdlib>

namespace mprogsim {

void sim_assert_failed(const char* condition, const char* why, const char* file, int line) {
  std::fprintf(stderr, "mprogsim: internal error at %s:%d: %s (%s)\n", file, line, why, condition);
  std::fflush(stderr);
  std::abort();
}

}  // namespace mprogsim

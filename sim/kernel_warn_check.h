// SPDX-License-Identifier: GPL-2.0
// kernel-warn: no WARN_ON_ONCE fires in the mirrored code.
#pragma once

#include "sim/check.h"

namespace mprogsim::sim {

class KernelWarnCheck : public Check {
 public:
  using Check::Check;
  void on_warn(ThreadId t, const std::string& what) {
    cx_.verdicts.violate("kernel-warn", t, "WARN_ON_ONCE: " + what);
  }
};

}  // namespace mprogsim::sim

// SPDX-License-Identifier: GPL-2.0
// refs and leak, at quiescence (all threads done, every RCU callback run):
//   refs            every program's count equals its owners (open fds + slots
//                   attached without a link + live links), every link's count its
//                   open fds, and references taken minus dropped equals the counts
//                   held;
//   leak            nothing without references is still allocated, and no entry
//                   other than the published one is alive;
//   use-after-free  no program was freed while references remain.
#pragma once

#include "sim/check.h"

namespace mprogsim::sim {

class RefsLeakCheck : public Check {
 public:
  using Check::Check;
  bool on_quiescence();
};

}  // namespace mprogsim::sim

// SPDX-License-Identifier: GPL-2.0
// out-of-bounds: no index, walk or copy range leaves a 64-slot array
// (docs/semantics.md, "Out-of-bounds slot accesses"). The model sees it coming and
// does not make the access; it tells the simulator, which reports it here.
#pragma once

#include "sim/check.h"

namespace mprogsim::sim {

class OutOfBoundsCheck : public Check {
 public:
  using Check::Check;
  void on_out_of_bounds(ThreadId t, const std::string& what) {
    cx_.verdicts.violate(
        "out-of-bounds", t,
        thread_name(t) + " " + what + " (the kernel would access memory past the array)",
        {{"access", what}});
  }
};

}  // namespace mprogsim::sim

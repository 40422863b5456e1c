// SPDX-License-Identifier: GPL-2.0
// static-keys: at quiescence the static key counts (tcx_needed_key, ingress_queue)
// equal the spec's after the same steps. No reader reads them, so only their final
// count can be wrong.
#pragma once

#include "sim/check.h"

namespace mprogsim::sim {

class StaticKeysCheck : public Check {
 public:
  using Check::Check;
  bool on_quiescence();
};

}  // namespace mprogsim::sim

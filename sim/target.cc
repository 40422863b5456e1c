// SPDX-License-Identifier: GPL-2.0
#include "sim/target.h"

namespace mprogsim::sim {

std::unique_ptr<SimTarget> make_v2_target();
std::unique_ptr<SimTarget> make_upstream_target();

std::unique_ptr<SimTarget> make_target(Semantics semantics) {
  return semantics == Semantics::kUpstream ? make_upstream_target() : make_v2_target();
}

}  // namespace mprogsim::sim

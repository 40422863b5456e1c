// SPDX-License-Identifier: GPL-2.0
// The structural invariants of the upstream model's state after any step, which also
// look at the published bundle itself (its count, the NULL terminator, no pending
// release) and the qdisc's hold.
#pragma once

#include <vector>

#include "model/observation.h"
#include "model/upstream/system.h"

namespace mprogsim::upstream {

[[nodiscard]] std::vector<Violation> check_system_state(const System& system,
                                                        const Observation& after);

}  // namespace mprogsim::upstream

// SPDX-License-Identifier: GPL-2.0
// The readable story of an execution (`mprogsim replay TRACE --explain`): one line
// per event, with the step, the thread, and what it did.
#pragma once

#include <string>
#include <vector>

#include "sim/execution.h"

namespace mprogsim::sim {

std::string explain_events(const std::vector<Event>& events);

}  // namespace mprogsim::sim

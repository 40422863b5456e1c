// SPDX-License-Identifier: GPL-2.0
// Names of memory locations for reports and --explain: by object and field
// ("bpf_mprog_bundle#1.a.fp_items[0]", "dev->tcx_ingress"), never by address, so
// that they are the same in every run.
#pragma once

#include <string>

#include "model/target.h"
#include "sim/shadow_memory.h"

namespace mprogsim::sim {

std::string location_name(ShadowMemory& shadow, const SimTarget& target, const void* addr);

}  // namespace mprogsim::sim

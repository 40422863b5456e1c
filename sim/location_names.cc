// SPDX-License-Identifier: GPL-2.0
#include "sim/location_names.h"

#include <cstdint>

namespace mprogsim::sim {

std::string location_name(ShadowMemory& shadow, const SimTarget& target, const void* addr) {
  const Allocation* a = shadow.find(addr);
  if (!a) return "untracked memory";
  const std::size_t offset = reinterpret_cast<std::uintptr_t>(addr) - a->start;
  if (a->kind == Allocation::Kind::kEntry) {
    const std::size_t base = target.bundle_offset();
    const std::string field = offset >= base ? target.bundle_field(offset - base) : "";
    if (!field.empty()) return a->name() + "." + field;
  }
  if (a->what == "net_device" && offset == 0) return "dev->tcx_ingress";
  return shadow.describe(addr);
}

}  // namespace mprogsim::sim

// SPDX-License-Identifier: GPL-2.0
#include "model/upstream/variant.h"

#include "model/mirror_variant_impl.h"
#include "model/upstream/invariants.h"
#include "model/upstream/mprog_spec.h"
#include "model/upstream/system.h"
#include "model/upstream/tcx.h"

namespace mprogsim::upstream {

// What differs between the mirrors, for the registry (model/mirror_variant.h) and
// the simulator (model/mirror_target.h).
struct Mirror {
  using System = upstream::System;
  using Spec = MprogSpec;
  using Device = net_device;
  using Entry = bpf_mprog_entry;
  using Bundle = bpf_mprog_bundle;
  using Fp = bpf_mprog_fp;
  static constexpr int kMax = BPF_MPROG_MAX;
  static u64 revision(const Bundle& bundle) { return static_cast<u64>(bundle.revision.counter); }
  static u64 next_revision(u64 before) { return VariantTraits::next_revision(before); }
  // The link half of each slot lives once, in the bundle.
  static const bpf_link* link(const Entry& entry, int i) { return entry.parent->cp_items[i].link; }
  // tcx_entry_create allocates the tcx_entry around the bundle.
  static std::size_t bundle_offset() { return offsetof(tcx_entry, bundle); }
  static std::string entry_field(std::size_t) { return ""; }
  static std::string bundle_field(std::size_t offset) {
    constexpr std::size_t kCp = offsetof(Bundle, cp_items);
    if (offset < kCp || offset >= kCp + sizeof(Bundle::cp_items)) return "";
    return "cp_items[" + std::to_string((offset - kCp) / sizeof(bpf_mprog_cp)) + "]";
  }
  static s64 initial_revision() { return bpf_mprog_initial_revision(); }
  static void set_initial_revision(s64 revision) { bpf_mprog_set_initial_revision(revision); }
  static std::vector<Violation> check_state(const System& system, const Observation& after) {
    return check_system_state(system, after);
  }
};

}  // namespace mprogsim::upstream

template struct mprogsim::MirrorVariant<mprogsim::upstream::Mirror>;

// SPDX-License-Identifier: GPL-2.0
#include "model/v2/variant.h"

#include "model/mirror_variant_impl.h"
#include "model/v2/invariants.h"
#include "model/v2/mprog_spec.h"
#include "model/v2/system.h"

namespace mprogsim::v2 {

// What differs between the mirrors, for the registry (model/mirror_variant.h) and
// the simulator (model/mirror_target.h).
struct Mirror {
  using System = v2::System;
  using Spec = MprogSpec;
  using Device = net_device;
  using Entry = bpf_mprog_entry;
  using Bundle = bpf_mprog_bundle;
  using Fp = bpf_mprog_fp;
  static constexpr int kMax = BPF_MPROG_MAX;
  static u64 revision(const Bundle& bundle) { return static_cast<u32>(bundle.revision.counter); }
  static u64 next_revision(u64 before) { return VariantTraits::next_revision(before); }
  static const bpf_link* link(const Entry& entry, int i) { return entry.cp_items[i].link; }
  static std::size_t bundle_offset() { return 0; }  // bpf_mprog_create allocates it
  // v2 keeps the link half of each slot in the entry.
  static std::string entry_field(std::size_t in) {
    constexpr std::size_t kCp = offsetof(Entry, cp_items);
    if (in < kCp || in >= kCp + sizeof(Entry::cp_items)) return "";
    return "cp_items[" + std::to_string((in - kCp) / sizeof(bpf_mprog_cp)) + "]";
  }
  static std::string bundle_field(std::size_t) { return ""; }
  static int initial_revision() { return bpf_mprog_initial_revision(); }
  static void set_initial_revision(int revision) { bpf_mprog_set_initial_revision(revision); }
  static std::vector<Violation> check_state(const System& system, const Observation& after) {
    return check_system_state(system, after);
  }
};

}  // namespace mprogsim::v2

template struct mprogsim::MirrorVariant<mprogsim::v2::Mirror>;

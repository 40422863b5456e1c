// SPDX-License-Identifier: GPL-2.0
#include "model/v2/invariants.h"

#include <set>
#include <string>

#include "model/finding_ids.h"
#include "model/uapi.h"

namespace mprogsim::v2 {

std::vector<Violation> check_system_state(const System& system, const Observation& after) {
  std::vector<Violation> out;
  const QueryResult& q = after.query;
  // tcx_skeys_inc/dec move both keys together.
  if (system.device().ingress_queue != system.device().tcx_needed_key) {
    out.push_back({"", "ingress_queue key count " + std::to_string(system.device().ingress_queue) +
                           " but tcx key count " + std::to_string(system.device().tcx_needed_key) +
                           "; tcx_skeys_inc/dec move both"});
  }
  if (!q.written) {
    if (system.device().tcx_needed_key != 0) {
      out.push_back({kFindingStaticKeyLeak, "no entry, but the tcx static key count is " +
                                                std::to_string(system.device().tcx_needed_key)});
    }
    return out;
  }
  const std::size_t n = q.prog_ids.size();
  std::set<u32> seen;
  for (std::size_t i = 0; i < n; i++) {
    if (!seen.insert(q.prog_ids[i]).second) {
      out.push_back({"", "program id " + std::to_string(q.prog_ids[i]) + " attached twice"});
    }
  }
  if (q.count > 63) {  // bpf_mprog_max()
    out.push_back({"", std::to_string(q.count) + " programs attached, more than 63"});
  }
  for (std::size_t i = 0; i < n; i++) {
    const u32 flags = slot_flags(q, i);
    if ((flags & BPF_F_FIRST) && i != 0) {
      out.push_back({"", "BPF_F_FIRST in slot " + std::to_string(i)});
    }
    if ((flags & BPF_F_LAST) && i + 1 != n) {
      out.push_back({"", "BPF_F_LAST in slot " + std::to_string(i) + " of " + std::to_string(n)});
    }
  }
  if (q.revision == 0) out.push_back({"", "revision 0 on a live entry"});
  if (after.ran != q.prog_ids) out.push_back({"", "the datapath ran a different list"});
  check_unwritten(q, /*other_kind_is_finding=*/true, &out);
  if (system.device().tcx_needed_key != static_cast<s64>(q.count)) {
    out.push_back({kFindingStaticKeyLeak,
                   "tcx static key count " + std::to_string(system.device().tcx_needed_key) +
                       " with " + std::to_string(q.count) + " programs attached"});
  }
  return out;
}

}  // namespace mprogsim::v2

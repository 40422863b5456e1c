// SPDX-License-Identifier: GPL-2.0
#include "model/upstream/invariants.h"

#include <set>
#include <string>

#include "model/finding_ids.h"
#include "model/uapi.h"

namespace mprogsim::upstream {

std::vector<Violation> check_system_state(const System& system, const Observation& after) {
  std::vector<Violation> out;
  const QueryResult& q = after.query;
  const net_device& dev = system.device();
  if (!q.written) {
    out.push_back(
        {"", "the query failed (" + errno_name(q.ret) + "); upstream answers every hook"});
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
  if (q.count != n) {
    out.push_back({"", "count " + std::to_string(q.count) + " but " + std::to_string(n) +
                           " ids copied into a large enough buffer"});
  }
  if (after.ran != q.prog_ids) out.push_back({"", "the datapath ran a different list"});
  check_unwritten(q, /*other_kind_is_finding=*/false, &out);
  if (dev.tcx_needed_key != static_cast<s64>(q.count)) {
    out.push_back({"", "tcx static key count " + std::to_string(dev.tcx_needed_key) + " with " +
                           std::to_string(q.count) + " programs attached"});
  }
  if (dev.ingress_queue != static_cast<s64>(q.count) + after.miniq_holds) {
    out.push_back({"", "ingress_queue key count " + std::to_string(dev.ingress_queue) +
                           ", expected one per program and per qdisc hold"});
  }
  const bpf_mprog_entry* entry = dev.tcx_ingress;
  if (!entry) {
    if (q.count != 0 || q.revision != 1 || after.miniq_holds != 0) {
      out.push_back({"", "no entry published, yet count " + std::to_string(q.count) +
                             ", revision " + std::to_string(q.revision) + ", holds " +
                             std::to_string(after.miniq_holds)});
    }
    return out;
  }
  const bpf_mprog_bundle& bundle = *entry->parent;
  if (entry != &bundle.a && entry != &bundle.b) {
    out.push_back({"", "the published entry is neither half of its bundle"});
  }
  if (bundle.count != q.count) {
    out.push_back({"", "bundle count " + std::to_string(bundle.count) + " but " +
                           std::to_string(q.count) + " programs reported"});
  }
  for (u32 i = 0; i < q.count && i < static_cast<u32>(BPF_MPROG_MAX); i++) {
    if (entry->fp_items[i].prog == nullptr) {
      out.push_back({"", "slot " + std::to_string(i) + " of the published entry is empty"});
      break;
    }
  }
  if (q.count < static_cast<u32>(BPF_MPROG_MAX) && entry->fp_items[q.count].prog != nullptr) {
    out.push_back({"", "no NULL terminator behind the last program"});
  }
  if (bundle.ref != nullptr) out.push_back({"", "a program release is still pending"});
  if (q.count == 0 && after.miniq_holds == 0) {
    out.push_back({"", "an empty entry nobody holds is still published"});
  }
  if (q.revision == 0) out.push_back({"", "revision 0 on a live entry"});
  return out;
}

}  // namespace mprogsim::upstream

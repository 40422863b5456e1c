// SPDX-License-Identifier: GPL-2.0
#include "properties/invariants.h"

#include <set>
#include <sstream>

#include "model/uapi.h"

namespace mprogsim::properties {
namespace {

bool same_info(const ObjectInfo& a, const ObjectInfo& b) {
  return a.exists == b.exists && a.freed == b.freed && a.refcnt == b.refcnt;
}

bool same_query(const QueryResult& a, const QueryResult& b) {
  return a.ret == b.ret && a.written == b.written && a.count == b.count &&
         a.revision == b.revision && a.prog_ids == b.prog_ids && a.link_ids == b.link_ids &&
         a.prog_attach_flags == b.prog_attach_flags && a.link_attach_flags == b.link_attach_flags;
}

u32 slot_flags(const QueryResult& q, std::size_t i) {
  return q.link_ids[i] ? q.link_attach_flags[i] : q.prog_attach_flags[i];
}

// Query elements the kernel left as the harness poisoned them (kQueryUnwritten).
// Every copied slot's id, link id and own-kind flags must be written; v2 leaves the
// other kind's flags element alone (finding F4), upstream writes all four.
void check_unwritten(const QueryResult& q, bool v2, std::vector<Violation>* out) {
  bool other_kind = false;
  for (std::size_t i = 0; i < q.prog_ids.size(); i++) {
    const std::string slot = "[" + std::to_string(i) + "]";
    if (q.prog_ids[i] == kQueryUnwritten) out->push_back({"", "query left prog_ids" + slot + " unwritten"});
    if (q.link_ids[i] == kQueryUnwritten) out->push_back({"", "query left link_ids" + slot + " unwritten"});
    const bool link = q.link_ids[i] != 0 && q.link_ids[i] != kQueryUnwritten;
    const u32 own = link ? q.link_attach_flags[i] : q.prog_attach_flags[i];
    const u32 other = link ? q.prog_attach_flags[i] : q.link_attach_flags[i];
    if (own == kQueryUnwritten) {
      out->push_back({"", std::string("query left ") +
                              (link ? "link_attach_flags" : "prog_attach_flags") + slot +
                              " of a " + (link ? "link's" : "program's") + " slot unwritten"});
    }
    if (other == kQueryUnwritten) {
      if (!v2) {
        out->push_back({"", std::string("query left ") +
                                (link ? "prog_attach_flags" : "link_attach_flags") + slot +
                                " unwritten"});
      }
      other_kind = true;
    }
  }
  if (v2 && other_kind) {
    out->push_back({kFindingQueryFlagsUnwritten,
                    "query leaves link_attach_flags[i] of a program's slot and "
                    "prog_attach_flags[i] of a link's slot as the caller passed them"});
  }
}

// The revision after one commit: +1 in 32 bits, skipping 0.
u64 next_revision(u64 revision) {
  const u32 next = static_cast<u32>(revision) + 1U;
  return next == 0 ? 1 : next;
}

}  // namespace

bool Observation::operator==(const Observation& other) const {
  if (!same_query(query, other.query) || ran != other.ran || miniq_holds != other.miniq_holds ||
      !(keys == other.keys) ||
      progs.size() != other.progs.size() || links.size() != other.links.size()) {
    return false;
  }
  for (std::size_t i = 0; i < progs.size(); i++) {
    if (!same_info(progs[i], other.progs[i])) return false;
  }
  for (std::size_t i = 0; i < links.size(); i++) {
    if (!same_info(links[i], other.links[i])) return false;
  }
  return true;
}

Observation observe(MprogApi& system, u32 progs_max, u32 links_max) {
  Observation o;
  o.query = system.prog_query(QueryAttr{0, 0, 256});
  o.ran = system.run();
  for (u32 id = 1; id <= progs_max; id++) o.progs.push_back(system.prog_info(id));
  for (u32 id = 1; id <= links_max; id++) o.links.push_back(system.link_info(id));
  o.miniq_holds = system.miniq_holds();
  o.keys = system.static_keys();
  return o;
}

std::string describe(const Observation& o) {
  std::ostringstream out;
  out << "query=" << errno_name(o.query.ret);
  if (o.query.written) out << " count=" << o.query.count << " revision=" << o.query.revision;
  out << " list=[";
  for (std::size_t i = 0; i < o.query.prog_ids.size(); i++) {
    out << (i ? "," : "") << "P" << o.query.prog_ids[i];
    if (o.query.link_ids[i]) out << "/L" << o.query.link_ids[i];
    if (const u32 f = slot_flags(o.query, i)) out << "/flags=" << f;
  }
  out << "] ran=" << o.ran.size() << " refs=[";
  for (std::size_t i = 0; i < o.progs.size(); i++) {
    out << (i ? "," : "") << "P" << i + 1 << ":" << (o.progs[i].freed ? 0 : o.progs[i].refcnt);
  }
  out << "] links=[";
  for (std::size_t i = 0; i < o.links.size(); i++) {
    out << (i ? "," : "") << "L" << i + 1 << ":" << (o.links[i].freed ? 0 : o.links[i].refcnt);
  }
  out << "] miniq=" << o.miniq_holds << " keys=" << o.keys.tcx_needed_key << "/"
      << o.keys.ingress_queue;
  return out.str();
}

std::vector<Violation> check_state(const v2::System& system, const Observation& after) {
  std::vector<Violation> out;
  const QueryResult& q = after.query;
  // tcx_skeys_inc/dec move both keys together.
  if (system.device().ingress_queue != system.device().tcx_needed_key) {
    out.push_back({"", "ingress_queue key count " + std::to_string(system.device().ingress_queue) +
                           " but tcx key count " +
                           std::to_string(system.device().tcx_needed_key) +
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
    if ((flags & v2::BPF_F_FIRST) && i != 0) {
      out.push_back({"", "BPF_F_FIRST in slot " + std::to_string(i)});
    }
    if ((flags & v2::BPF_F_LAST) && i + 1 != n) {
      out.push_back({"", "BPF_F_LAST in slot " + std::to_string(i) + " of " + std::to_string(n)});
    }
  }
  if (q.revision == 0) out.push_back({"", "revision 0 on a live entry"});
  if (after.ran != q.prog_ids) out.push_back({"", "the datapath ran a different list"});
  check_unwritten(q, true, &out);
  if (system.device().tcx_needed_key != static_cast<s64>(q.count)) {
    out.push_back({kFindingStaticKeyLeak,
                   "tcx static key count " + std::to_string(system.device().tcx_needed_key) +
                       " with " + std::to_string(q.count) + " programs attached"});
  }
  return out;
}

std::vector<Violation> check_state(const upstream::System& system, const Observation& after) {
  std::vector<Violation> out;
  const QueryResult& q = after.query;
  const upstream::net_device& dev = system.device();
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
  check_unwritten(q, false, &out);
  if (dev.tcx_needed_key != static_cast<s64>(q.count)) {
    out.push_back({"", "tcx static key count " + std::to_string(dev.tcx_needed_key) + " with " +
                           std::to_string(q.count) + " programs attached"});
  }
  if (dev.ingress_queue != static_cast<s64>(q.count) + after.miniq_holds) {
    out.push_back({"", "ingress_queue key count " + std::to_string(dev.ingress_queue) +
                           ", expected one per program and per qdisc hold"});
  }
  const upstream::bpf_mprog_entry* entry = dev.tcx_ingress;
  if (!entry) {
    if (q.count != 0 || q.revision != 1 || after.miniq_holds != 0) {
      out.push_back({"", "no entry published, yet count " + std::to_string(q.count) +
                             ", revision " + std::to_string(q.revision) + ", holds " +
                             std::to_string(after.miniq_holds)});
    }
    return out;
  }
  const upstream::bpf_mprog_bundle& bundle = *entry->parent;
  if (entry != &bundle.a && entry != &bundle.b) {
    out.push_back({"", "the published entry is neither half of its bundle"});
  }
  if (bundle.count != q.count) {
    out.push_back({"", "bundle count " + std::to_string(bundle.count) + " but " +
                           std::to_string(q.count) + " programs reported"});
  }
  for (u32 i = 0; i < q.count && i < static_cast<u32>(upstream::BPF_MPROG_MAX); i++) {
    if (entry->fp_items[i].prog == nullptr) {
      out.push_back({"", "slot " + std::to_string(i) + " of the published entry is empty"});
      break;
    }
  }
  if (q.count < static_cast<u32>(upstream::BPF_MPROG_MAX) &&
      entry->fp_items[q.count].prog != nullptr) {
    out.push_back({"", "no NULL terminator behind the last program"});
  }
  if (bundle.ref != nullptr) out.push_back({"", "a program release is still pending"});
  if (q.count == 0 && after.miniq_holds == 0) {
    out.push_back({"", "an empty entry nobody holds is still published"});
  }
  if (q.revision == 0) out.push_back({"", "revision 0 on a live entry"});
  return out;
}

std::vector<Violation> check_step(const StepFacts& facts, const Observation& before,
                                  const Observation& after) {
  std::vector<Violation> out;
  if (facts.kind == StepFacts::Kind::kOther) return out;
  if (facts.ret < 0) {
    // A failed call changes nothing a user can see; a failed link_create may leave
    // behind only a freed link (its id was consumed).
    Observation trimmed = after;
    bool stray_link = false;
    for (std::size_t i = 0; i < after.links.size(); i++) {
      const bool was_new = i >= before.links.size() || !before.links[i].exists;
      if (!was_new) continue;
      stray_link |= after.links[i].exists && !after.links[i].freed;
      if (i < before.links.size()) trimmed.links[i] = before.links[i];
    }
    trimmed.links.resize(before.links.size());
    if (!(trimmed == before) || stray_link) {
      out.push_back({"", "a failed call (" + errno_name(facts.ret) + ") changed the state: " +
                             describe(before) + " -> " + describe(after)});
    }
    // Upstream answers a hook without an entry with revision 1 whatever a new bundle
    // will start with (a test knob), so only a non-empty hook is held to its word.
    const bool checkable = facts.semantics == Semantics::kV2 || before.query.count > 0;
    if (facts.ret == -ESTALE && facts.expected_revision != 0 && before.query.written &&
        checkable && facts.expected_revision == before.query.revision) {
      out.push_back({facts.semantics == Semantics::kV2 ? kFindingEstaleHighRevision : "",
                     "expected_revision " + std::to_string(facts.expected_revision) +
                         " equals the queried revision, yet -ESTALE"});
    }
    return out;
  }
  // v2 frees the entry with its last program: no entry is a count of 0 then.
  const u32 count_after = after.query.written ? after.query.count : 0;
  if (facts.kind == StepFacts::Kind::kDetach && before.query.written &&
      count_after + 1 != before.query.count) {
    out.push_back({kFindingEmptyDetach, "a successful detach did not remove one program: " +
                                            describe(before) + " -> " + describe(after)});
  }
  const bool changed = !(before.query.prog_ids == after.query.prog_ids &&
                         before.query.link_ids == after.query.link_ids &&
                         before.query.prog_attach_flags == after.query.prog_attach_flags &&
                         before.query.link_attach_flags == after.query.link_attach_flags);
  if (facts.semantics == Semantics::kUpstream) {
    // 64 bits, +1 per change. A hook that was or became empty may have no entry, and
    // then reports revision 1 instead of the bundle's.
    if (changed && before.query.count > 0 && after.query.count > 0 &&
        after.query.revision != before.query.revision + 1) {
      out.push_back({"", "revision went from " + std::to_string(before.query.revision) + " to " +
                             std::to_string(after.query.revision) + " in one change"});
    }
    return out;
  }
  if (before.query.written && after.query.written && changed &&
      after.query.revision != next_revision(before.query.revision)) {
    out.push_back({"", "revision went from " + std::to_string(before.query.revision) + " to " +
                           std::to_string(after.query.revision) + " in one change"});
  }
  return out;
}

}  // namespace mprogsim::properties

// SPDX-License-Identifier: GPL-2.0
#include "model/observation.h"

#include <sstream>

#include "model/finding_ids.h"
#include "model/uapi.h"

namespace mprogsim {
namespace {

bool same_info(const ObjectInfo& a, const ObjectInfo& b) {
  return a.exists == b.exists && a.freed == b.freed && a.refcnt == b.refcnt;
}

bool same_query(const QueryResult& a, const QueryResult& b) {
  return a.ret == b.ret && a.written == b.written && a.count == b.count &&
         a.revision == b.revision && a.prog_ids == b.prog_ids && a.link_ids == b.link_ids &&
         a.prog_attach_flags == b.prog_attach_flags && a.link_attach_flags == b.link_attach_flags;
}

}  // namespace

u32 slot_flags(const QueryResult& q, std::size_t i) {
  return q.link_ids[i] ? q.link_attach_flags[i] : q.prog_attach_flags[i];
}

// Every copied slot's id, link id and own-kind flags must be written.
void check_unwritten(const QueryResult& q, bool other_kind_is_finding,
                     std::vector<Violation>* out) {
  bool other_kind = false;
  for (std::size_t i = 0; i < q.prog_ids.size(); i++) {
    const std::string slot = "[" + std::to_string(i) + "]";
    if (q.prog_ids[i] == kQueryUnwritten)
      out->push_back({"", "query left prog_ids" + slot + " unwritten"});
    if (q.link_ids[i] == kQueryUnwritten)
      out->push_back({"", "query left link_ids" + slot + " unwritten"});
    const bool link = q.link_ids[i] != 0 && q.link_ids[i] != kQueryUnwritten;
    const u32 own = link ? q.link_attach_flags[i] : q.prog_attach_flags[i];
    const u32 other = link ? q.prog_attach_flags[i] : q.link_attach_flags[i];
    if (own == kQueryUnwritten) {
      out->push_back({"", std::string("query left ") +
                              (link ? "link_attach_flags" : "prog_attach_flags") + slot + " of a " +
                              (link ? "link's" : "program's") + " slot unwritten"});
    }
    if (other == kQueryUnwritten) {
      if (!other_kind_is_finding) {
        out->push_back({"", std::string("query left ") +
                                (link ? "prog_attach_flags" : "link_attach_flags") + slot +
                                " unwritten"});
      }
      other_kind = true;
    }
  }
  if (other_kind_is_finding && other_kind) {
    out->push_back({kFindingQueryFlagsUnwritten,
                    "query leaves link_attach_flags[i] of a program's slot and "
                    "prog_attach_flags[i] of a link's slot as the caller passed them"});
  }
}

bool Observation::operator==(const Observation& other) const {
  if (!same_query(query, other.query) || ran != other.ran || miniq_holds != other.miniq_holds ||
      !(keys == other.keys) || progs.size() != other.progs.size() ||
      links.size() != other.links.size()) {
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

}  // namespace mprogsim

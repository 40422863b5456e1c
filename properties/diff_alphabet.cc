// SPDX-License-Identifier: GPL-2.0
#include "properties/diff_alphabet.h"

#include <algorithm>
#include <iterator>

namespace mprogsim::properties::diff {
namespace {

std::vector<std::string> common(const std::vector<std::string>& x,
                                const std::vector<std::string>& y) {
  std::vector<std::string> out;
  std::set_intersection(x.begin(), x.end(), y.begin(), y.end(), std::back_inserter(out));
  return out;
}

constexpr const char* kPositions[] = {"BEFORE", "AFTER"};
constexpr const char* kEnds[] = {"FIRST", "LAST"};

// What one state's alphabet is built from, and the steps built so far.
class Builder {
 public:
  Builder(const Pair& pair, u64 current, const AlphabetBounds& bounds)
      : pair_(pair),
        sa_(pair.a.session()),
        current_(current),
        bounds_(bounds),
        progs_(common_prog_names(pair)),
        links_(common_link_names(pair)) {
    for (const auto& p : progs_) {
      if (!sa_.prog_closed(p)) open_progs_.push_back(p);
    }
    for (const auto& l : links_) {
      if (!sa_.link_closed(l)) open_links_.push_back(l);
    }
  }

  std::vector<Step> build() && {
    if (progs_.size() < bounds_.progs) {
      Step s = make_step(StepOp::kLoad);
      s.prog = "P" + std::to_string(progs_.size() + 1);
      add(s);
    }
    for (const auto& p : open_progs_) attaches_of(p);
    for (const auto& p : open_progs_) add(prog_step(StepOp::kDetach, p));
    for (const auto& p : open_progs_) relative_detaches_of(p);
    detaches_without_prog();
    link_attaches();
    for (const auto& l : open_links_) {
      for (const auto& p : open_progs_) {
        Step s = make_step(StepOp::kLinkUpdate);
        s.link = l;
        s.prog = p;
        add(s);
      }
    }
    for (const auto& l : open_links_) add(link_step(StepOp::kLinkDetach, l));
    for (const auto& p : open_progs_) add(prog_step(StepOp::kProgClose, p));
    for (const auto& l : open_links_) add(link_step(StepOp::kLinkClose, l));
    if (pair_.taken < bounds_.holds) add(make_step(StepOp::kMiniqInc));
    if (pair_.taken > 0) add(make_step(StepOp::kMiniqDec));
    return std::move(steps_);
  }

 private:
  void add(const Step& s) { steps_.push_back(s); }

  static Step prog_step(StepOp op, const std::string& prog) {
    Step s = make_step(op);
    s.prog = prog;
    return s;
  }
  static Step link_step(StepOp op, const std::string& link) {
    Step s = make_step(op);
    s.link = link;
    return s;
  }

  // A relative is named by fd while its fd is open, else by id.
  Relative prog_relative(const std::string& q) const {
    return relative_to(Relative::Kind::kProg, q, sa_.prog_closed(q));
  }

  // Attaches of program p: plain, at a position, replacing, at an end, with a revision.
  void attaches_of(const std::string& p) {
    Step s = prog_step(StepOp::kAttach, p);
    add(s);
    for (const char* where : kPositions) {
      s.flags = {where};
      add(s);
    }
    attach_relatives(s);
    s.flags.clear();
    for (const auto& q : open_progs_) {
      s.replace = q;
      add(s);
    }
    s.replace.reset();
    if (bounds_.first_last) attach_ends(s);
    // The revision as side A reports it now, and a stale one: the same number goes
    // to both sides, so a side whose revision moved differently sees ESTALE.
    for (u64 revision : {current_, current_ + 1}) {
      s.expected_revision = revision;
      add(s);
    }
  }

  // BEFORE/AFTER every program (by fd while open, and by id) and every link.
  void attach_relatives(Step s) {
    for (const char* where : kPositions) {
      s.flags = {where};
      for (const auto& q : progs_) {
        const bool open = !sa_.prog_closed(q);
        for (bool by_id : {false, true}) {
          if (!by_id && !open) continue;
          s.relative = relative_to(Relative::Kind::kProg, q, by_id);
          add(s);
        }
      }
      for (const auto& l : links_) {
        s.relative = relative_to(Relative::Kind::kLink, l, sa_.link_closed(l));
        add(s);
      }
    }
  }

  // FIRST/LAST, then v2's REPLACE rewriting them (the "admin override").
  void attach_ends(Step s) {
    for (const char* flag : kEnds) {
      s.flags = {flag};
      add(s);
    }
    for (const auto& q : open_progs_) {
      s.replace = q;
      for (const char* flag : kEnds) {
        s.flags = {flag};
        add(s);
      }
    }
  }

  void relative_detaches_of(const std::string& p) {
    for (const char* where : kPositions) {
      for (const auto& q : progs_) {
        Step s = prog_step(StepOp::kDetach, p);
        s.flags = {where};
        s.relative = prog_relative(q);
        add(s);
      }
    }
  }

  // s under each position flag (alone and relative to every program), then under
  // FIRST and LAST where the variant has them; s comes back without flags.
  void add_positioned(Step& s) {
    for (const char* where : kPositions) {
      s.flags = {where};
      add(s);
      for (const auto& q : progs_) {
        s.relative = prog_relative(q);
        add(s);
      }
      s.relative = Relative{};
    }
    s.flags.clear();
    if (bounds_.first_last) {
      for (const char* flag : kEnds) {
        s.flags = {flag};
        add(s);
      }
    }
  }

  void detaches_without_prog() {
    Step s = make_step(StepOp::kDetach);
    add(s);
    add_positioned(s);
    s.flags.clear();
    s.expected_revision = current_ + 1;
    add(s);
  }

  // Link attaches under the first link name free on both sides.
  void link_attaches() {
    const auto la = sa_.link_names();
    const auto lb = pair_.b.session().link_names();
    for (unsigned k = 1; k <= bounds_.links; k++) {
      const std::string name = "L" + std::to_string(k);
      if (std::find(la.begin(), la.end(), name) != la.end() ||
          std::find(lb.begin(), lb.end(), name) != lb.end()) {
        continue;
      }
      for (const auto& p : open_progs_) link_attaches_of(name, p);
      return;
    }
  }

  void link_attaches_of(const std::string& name, const std::string& p) {
    Step s = prog_step(StepOp::kLinkAttach, p);
    s.link = name;
    add(s);
    add_positioned(s);
  }

  const Pair& pair_;
  const ScenarioSession& sa_;
  u64 current_;
  AlphabetBounds bounds_;
  std::vector<std::string> progs_, links_;            // bound on both sides
  std::vector<std::string> open_progs_, open_links_;  // and their fds open (side A)
  std::vector<Step> steps_;
};

}  // namespace

std::vector<std::string> common_prog_names(const Pair& pair) {
  return common(pair.a.session().prog_names(), pair.b.session().prog_names());
}

std::vector<std::string> common_link_names(const Pair& pair) {
  return common(pair.a.session().link_names(), pair.b.session().link_names());
}

std::vector<Step> alphabet_steps(const Pair& pair, u64 current, const AlphabetBounds& bounds) {
  return Builder(pair, current, bounds).build();
}

std::vector<Step> observation_steps(const std::vector<std::string>& progs,
                                    const std::vector<std::string>& links) {
  return {query_step(std::nullopt), query_step(0U), query_step(1U), make_step(StepOp::kRun),
          refs_step(progs, links)};
}

}  // namespace mprogsim::properties::diff

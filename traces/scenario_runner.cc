// SPDX-License-Identifier: GPL-2.0
#include "traces/scenario_runner.h"

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <span>
#include <sstream>
#include <utility>

#include "model/uapi.h"
#include "model/upstream/mprog_spec.h"
#include "model/upstream/system.h"
#include "model/v2/mprog_spec.h"
#include "model/upstream/uapi.h"
#include "model/v2/system.h"

namespace mprogsim {
namespace {

// Flag names in the order they are printed, with their bits in each semantics.
constexpr std::array<std::pair<const char*, u32>, 7> kV2Flags = {{
    {"REPLACE", v2::BPF_F_REPLACE},
    {"BEFORE", v2::BPF_F_BEFORE},
    {"AFTER", v2::BPF_F_AFTER},
    {"FIRST", v2::BPF_F_FIRST},
    {"LAST", v2::BPF_F_LAST},
    {"ID", v2::BPF_F_ID},
    {"LINK", v2::BPF_F_LINK},
}};
constexpr std::array<std::pair<const char*, u32>, 5> kUpstreamFlags = {{
    {"REPLACE", upstream::BPF_F_REPLACE},
    {"BEFORE", upstream::BPF_F_BEFORE},
    {"AFTER", upstream::BPF_F_AFTER},
    {"ID", upstream::BPF_F_ID},
    {"LINK", upstream::BPF_F_LINK},
}};

// The bits the runner needs by role, per semantics.
struct FlagBits {
  std::span<const std::pair<const char*, u32>> names;
  u32 replace;
  u32 id;
  u32 link;
  u32 mask;  // what BPF_PROG_ATTACH accepts; other bits print as a number
};

FlagBits flag_bits_of(Semantics semantics) {
  if (semantics == Semantics::kUpstream) {
    return {kUpstreamFlags, upstream::BPF_F_REPLACE, upstream::BPF_F_ID, upstream::BPF_F_LINK,
            upstream::BPF_F_ATTACH_MASK_MPROG};
  }
  return {kV2Flags, v2::BPF_F_REPLACE, v2::BPF_F_ID, v2::BPF_F_LINK, v2::BPF_F_ATTACH_MASK_MPROG};
}

std::string join(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); i++) out += (i ? "," : "") + items[i];
  return out + "]";
}

struct Bound {
  u32 fd = 0;
  u32 id = 0;
  bool closed = false;
};

}  // namespace

class ScenarioSession::Runner {
 public:
  Runner(MprogApi& system, Semantics semantics)
      : system_(system), semantics_(semantics), bits_(flag_bits_of(semantics)) {}

  StepReport step(const Step& step, std::size_t index) {
    where_ = "step " + std::to_string(index);
    StepReport step_report;
    step_report.index = index;
    step_report.observed = step;
    const std::size_t warnings_before = system_.warnings().size();
    run_step(step, &step_report);
    const auto& warnings = system_.warnings();
    for (std::size_t w = warnings_before; w < warnings.size(); w++) {
      step_report.warnings.push_back(warnings[w]);
    }
    return step_report;
  }

  std::vector<std::string> prog_names() const {
    std::vector<std::string> out;
    for (const auto& [name, b] : progs_) out.push_back(name);
    return out;
  }
  std::vector<std::string> link_names() const {
    std::vector<std::string> out;
    for (const auto& [name, b] : links_) out.push_back(name);
    return out;
  }
  bool prog_closed(const std::string& name) const { return progs_.at(name).closed; }
  bool link_closed(const std::string& name) const { return links_.at(name).closed; }

 private:
  [[noreturn]] void bad(const std::string& what) const {
    throw ScenarioError(where_ + ": " + what);
  }

  u32 flag_bits(const std::vector<std::string>& names) const {
    u32 bits = 0;
    for (const auto& name : names) {
      for (const auto& [known, bit] : bits_.names) {
        if (name == known) bits |= bit;
      }
    }
    return bits;
  }

  std::vector<std::string> flag_names(u32 bits) const {
    std::vector<std::string> out;
    for (const auto& [name, bit] : bits_.names) {
      if (bits & bit) out.emplace_back(name);
    }
    if (bits & ~bits_.mask) out.push_back("0x" + std::to_string(bits));
    return out;
  }

  const Bound& prog(const std::string& name) const {
    auto it = progs_.find(name);
    if (it == progs_.end()) {
      bad("'" + name + "' is not a loaded program" +
          (links_.count(name) ? " (it names a link)" : ""));
    }
    return it->second;
  }
  const Bound& open_prog(const std::string& name) const {
    const Bound& p = prog(name);
    if (p.closed) bad("program '" + name + "' was closed; it cannot be attached again");
    return p;
  }
  const Bound& link(const std::string& name) const {
    auto it = links_.find(name);
    if (it == links_.end()) {
      bad("'" + name + "' is not a link created by a successful link_attach" +
          (progs_.count(name) ? " (it names a program)" : ""));
    }
    return it->second;
  }
  void check_unbound(const std::string& name) const {
    if (progs_.count(name) || links_.count(name)) bad("name '" + name + "' is already bound");
  }

  // The relative fd/id and the flags it implies.
  std::pair<u32, u32> relative(const Relative& r) const {
    if (r.kind == Relative::Kind::kNone) return {0, 0};
    u32 flags = r.by_id ? bits_.id : 0;
    if (r.kind == Relative::Kind::kLink) flags |= bits_.link;
    if (r.raw) return {*r.raw, flags};
    const Bound& b = r.kind == Relative::Kind::kProg ? prog(*r.name) : link(*r.name);
    return {r.by_id ? b.id : b.fd, flags};
  }

  std::string prog_name(u32 id) const {
    auto it = prog_names_.find(id);
    return it == prog_names_.end() ? "#" + std::to_string(id) : it->second;
  }
  std::string link_name(u32 id) const {
    auto it = link_names_.find(id);
    return it == link_names_.end() ? "#" + std::to_string(id) : it->second;
  }

  void expect_ret(const Step& step, int ret, StepReport* out) const {
    out->observed.expect = errno_name(ret);
    if (step.expect && *step.expect != errno_name(ret)) {
      out->mismatches.push_back("expect: expected " + *step.expect + ", got " + errno_name(ret));
    }
  }

  template <typename T>
  static void compare(const char* field, const std::optional<T>& expected, const T& actual,
                      const std::string& expected_text, const std::string& actual_text,
                      StepReport* out) {
    if (expected && !(*expected == actual)) {
      out->mismatches.push_back(std::string(field) + ": expected " + expected_text + ", got " +
                                actual_text);
    }
  }

  void run_step(const Step& step, StepReport* out) {
    std::ostringstream line;
    line << where_ << ": " << step_op_name(step.op);
    switch (step.op) {
      case StepOp::kLoad: {
        check_unbound(*step.prog);
        const int fd =
            system_.prog_load(step.prog_type == "xdp" ? ProgType::kXdp : ProgType::kSchedCls);
        if (fd < 0) bad("loading a program failed: " + errno_name(fd));
        const u32 id = static_cast<u32>(system_.prog_id(static_cast<u32>(fd)));
        progs_[*step.prog] = {static_cast<u32>(fd), id, false};
        prog_names_[id] = *step.prog;
        line << " " << *step.prog << " -> OK (fd " << fd << ", id " << id << ")";
        break;
      }
      case StepOp::kAttach: {
        const Bound& p = open_prog(*step.prog);
        auto [object, implied] = relative(step.relative);
        u32 flags = flag_bits(step.flags) | implied;
        u32 replace_fd = 0;
        if (step.replace && semantics_ == Semantics::kV2) {
          if (step.relative.kind != Relative::Kind::kNone) {
            bad("in v2 'replace' is the relative object; give one of 'replace' and 'relative'");
          }
          object = prog(*step.replace).fd;
          flags |= bits_.replace;
        } else if (step.replace) {
          // Upstream: the program to replace has its own field, replace_bpf_fd.
          replace_fd = prog(*step.replace).fd;
          flags |= bits_.replace;
        }
        ProgAttachAttr attr{p.fd, flags, object, replace_fd, step.expected_revision};
        const int ret = system_.prog_attach(attr);
        line << " " << *step.prog << " -> " << errno_name(ret);
        expect_ret(step, ret, out);
        break;
      }
      case StepOp::kLinkAttach: {
        check_unbound(*step.link);
        const Bound& p = open_prog(*step.prog);
        auto [object, implied] = relative(step.relative);
        LinkCreateAttr attr{p.fd, flag_bits(step.flags) | implied, object,
                            step.expected_revision};
        const int ret = system_.link_create(attr);
        if (ret >= 0) {
          const u32 id = static_cast<u32>(system_.link_id(static_cast<u32>(ret)));
          links_[*step.link] = {static_cast<u32>(ret), id, false};
          link_names_[id] = *step.link;
          line << " " << *step.link << " " << *step.prog << " -> OK (fd " << ret << ", id " << id
               << ")";
        } else {
          line << " " << *step.link << " " << *step.prog << " -> " << errno_name(ret);
        }
        expect_ret(step, ret >= 0 ? 0 : ret, out);
        break;
      }
      case StepOp::kLinkUpdate: {
        const Bound& l = link(*step.link);
        const Bound& p = open_prog(*step.prog);
        LinkUpdateAttr attr{l.fd, p.fd, 0, 0};
        if (step.old_prog) {
          attr.old_prog_fd = prog(*step.old_prog).fd;
          attr.flags = bits_.replace;
        }
        const int ret = system_.link_update(attr);
        line << " " << *step.link << " " << *step.prog << " -> " << errno_name(ret);
        expect_ret(step, ret, out);
        break;
      }
      case StepOp::kDetach: {
        const u32 fd = step.prog ? prog(*step.prog).fd : 0;
        auto [object, implied] = relative(step.relative);
        ProgAttachAttr attr{fd, flag_bits(step.flags) | implied, object, 0,
                            step.expected_revision};
        const int ret = system_.prog_detach(attr);
        line << " " << (step.prog ? *step.prog : "null") << " -> " << errno_name(ret);
        expect_ret(step, ret, out);
        break;
      }
      case StepOp::kLinkDetach: {
        const int ret = system_.link_detach(link(*step.link).fd);
        line << " " << *step.link << " -> " << errno_name(ret);
        expect_ret(step, ret, out);
        break;
      }
      case StepOp::kQuery:
        run_query(step, line, out);
        break;
      case StepOp::kRun: {
        std::vector<std::string> ran;
        for (u32 id : system_.run()) ran.push_back(prog_name(id));
        line << " -> ran=" << join(ran);
        out->observed.expect_ran = ran;
        compare("expect_ran", step.expect_ran, ran, step.expect_ran ? join(*step.expect_ran) : "",
                join(ran), out);
        break;
      }
      case StepOp::kProgClose: {
        auto it = progs_.find(*step.prog);
        if (it == progs_.end()) prog(*step.prog);  // reports the bad name
        if (it->second.closed) bad("program '" + *step.prog + "' is already closed");
        const int ret = system_.close_fd(it->second.fd);
        it->second.closed = true;
        line << " " << *step.prog << " -> " << errno_name(ret);
        break;
      }
      case StepOp::kLinkClose: {
        auto it = links_.find(*step.link);
        if (it == links_.end()) link(*step.link);  // reports the bad name
        if (it->second.closed) bad("link '" + *step.link + "' is already closed");
        const int ret = system_.close_fd(it->second.fd);
        it->second.closed = true;
        line << " " << *step.link << " -> " << errno_name(ret);
        expect_ret(step, ret, out);
        break;
      }
      case StepOp::kMiniqInc:
        system_.miniq_inc();
        miniq_taken_++;
        line << " -> OK (holds " << system_.miniq_holds() << ")";
        break;
      case StepOp::kMiniqDec:
        // The runner counts the holds it took: a broken model that lost one must show
        // as a mismatch, not turn the file bad.
        if (miniq_taken_ == 0) bad("miniq_dec without a hold (no miniq_inc before)");
        miniq_taken_--;
        system_.miniq_dec();
        line << " -> OK (holds " << system_.miniq_holds() << ")";
        break;
      case StepOp::kRefs: {
        line << " ->";
        // A refs step without expect_refs (a shrinker may drop it) asks nothing.
        static const std::map<std::string, u64> kNothing;
        for (const auto& [name, expected] : step.expect_refs ? *step.expect_refs : kNothing) {
          u64 actual = 0;
          if (progs_.count(name)) {
            const ObjectInfo info = system_.prog_info(progs_.at(name).id);
            actual = info.freed ? 0 : info.refcnt;
          } else if (links_.count(name)) {
            const ObjectInfo info = system_.link_info(links_.at(name).id);
            actual = info.freed ? 0 : info.refcnt;
          } else {
            bad("'" + name + "' names no program or link");
          }
          line << " " << name << "=" << actual;
          (*out->observed.expect_refs)[name] = actual;
          if (actual != expected) {
            out->mismatches.push_back("expect_refs." + name + ": expected " +
                                      std::to_string(expected) + ", got " +
                                      std::to_string(actual));
          }
        }
        break;
      }
    }
    out->line = line.str();
  }

  void run_query(const Step& step, std::ostringstream& line, StepReport* out) {
    constexpr u32 kLargeBuffer = 256;
    QueryAttr attr{0, 0, step.buffer.value_or(kLargeBuffer)};
    const QueryResult r = system_.prog_query(attr);
    line << " -> " << errno_name(r.ret);
    expect_ret(step, r.ret, out);
    std::vector<std::string> progs, links_text, flags_text;
    std::vector<std::optional<std::string>> links;
    std::vector<std::vector<std::string>> flags;
    for (std::size_t i = 0; i < r.prog_ids.size(); i++) {
      progs.push_back(prog_name(r.prog_ids[i]));
      const u32 link_id = r.link_ids[i];
      links.push_back(link_id ? std::optional(link_name(link_id)) : std::nullopt);
      links_text.push_back(link_id ? link_name(link_id) : "null");
      flags.push_back(flag_names(link_id ? r.link_attach_flags[i] : r.prog_attach_flags[i]));
      flags_text.push_back(join(flags.back()));
    }
    if (r.written) {
      out->observed.expect_count = r.count;
      out->observed.expect_revision = r.revision;
      out->observed.expect_progs = progs;
      out->observed.expect_links = links;
      out->observed.expect_flags = flags;
      line << " count=" << r.count << " revision=" << r.revision << " progs=" << join(progs)
           << " links=" << join(links_text) << " flags=" << join(flags_text);
    }
    auto not_written = [&](const char* field) {
      out->mismatches.push_back(std::string(field) + ": the query failed before writing it");
    };
    if (step.expect_count) {
      if (!r.written) {
        not_written("expect_count");
      } else {
        compare("expect_count", step.expect_count, r.count, std::to_string(*step.expect_count),
                std::to_string(r.count), out);
      }
    }
    if (step.expect_revision) {
      if (!r.written) {
        not_written("expect_revision");
      } else {
        compare("expect_revision", step.expect_revision, r.revision,
                std::to_string(*step.expect_revision), std::to_string(r.revision), out);
      }
    }
    compare("expect_progs", step.expect_progs, progs,
            step.expect_progs ? join(*step.expect_progs) : "", join(progs), out);
    if (step.expect_links && *step.expect_links != links) {
      std::vector<std::string> expected;
      for (const auto& l : *step.expect_links) expected.push_back(l ? *l : "null");
      out->mismatches.push_back("expect_links: expected " + join(expected) + ", got " +
                                join(links_text));
    }
    if (step.expect_flags) {
      // Compare as sets, printed in canonical order.
      std::vector<std::vector<std::string>> expected;
      std::vector<std::string> expected_text;
      for (const auto& slot : *step.expect_flags) {
        expected.push_back(flag_names(flag_bits(slot)));
        expected_text.push_back(join(expected.back()));
      }
      if (expected != flags) {
        out->mismatches.push_back("expect_flags: expected " + join(expected_text) + ", got " +
                                  join(flags_text));
      }
    }
  }

  MprogApi& system_;
  Semantics semantics_;
  FlagBits bits_;
  std::string where_;
  std::map<std::string, Bound> progs_;
  std::map<std::string, Bound> links_;
  std::map<u32, std::string> prog_names_;
  std::map<u32, std::string> link_names_;
  u32 miniq_taken_ = 0;  // miniq_inc steps not yet matched by a miniq_dec
};

std::unique_ptr<MprogApi> make_system(Semantics semantics) {
  if (semantics == Semantics::kUpstream) return std::make_unique<upstream::System>();
  return std::make_unique<v2::System>();
}

std::unique_ptr<MprogApi> make_spec(Semantics semantics) {
  if (semantics == Semantics::kUpstream) return std::make_unique<upstream::MprogSpec>();
  return std::make_unique<v2::MprogSpec>();
}

void clear_expectations(Step* step) {
  step->expect.reset();
  step->expect_count.reset();
  step->expect_revision.reset();
  step->expect_progs.reset();
  step->expect_links.reset();
  step->expect_flags.reset();
  step->expect_ran.reset();
  step->expect_refs.reset();
}

Scenario with_spec_expectations(Scenario scenario) {
  auto spec = make_spec(scenario.semantics);
  ScenarioSession session(*spec, scenario.initial_revision, scenario.semantics);
  for (Step& step : scenario.steps) {
    clear_expectations(&step);
    step = session.step(step).observed;
  }
  return scenario;
}

ScenarioSession::ScenarioSession(MprogApi& system, std::optional<u64> initial_revision,
                                 Semantics semantics)
    : runner_(std::make_unique<Runner>(system, semantics)) {
  if (initial_revision) system.set_initial_revision(*initial_revision);
}
ScenarioSession::~ScenarioSession() = default;

StepReport ScenarioSession::step(const Step& step) { return runner_->step(step, ++steps_); }
std::vector<std::string> ScenarioSession::prog_names() const { return runner_->prog_names(); }
std::vector<std::string> ScenarioSession::link_names() const { return runner_->link_names(); }
bool ScenarioSession::prog_closed(const std::string& name) const {
  return runner_->prog_closed(name);
}
bool ScenarioSession::link_closed(const std::string& name) const {
  return runner_->link_closed(name);
}

ScenarioReport run_scenario(const Scenario& scenario, MprogApi& system) {
  ScenarioReport report;
  report.name = scenario.name;
  ScenarioSession session(system, scenario.initial_revision, scenario.semantics);
  for (const Step& step : scenario.steps) {
    StepReport step_report = session.step(step);
    (step_report.mismatches.empty() ? report.passed : report.failed)++;
    report.steps.push_back(std::move(step_report));
  }
  return report;
}

std::string format_report(const ScenarioReport& report) {
  std::string out;
  for (const StepReport& step : report.steps) {
    out += step.line + "\n";
    for (const auto& w : step.warnings) out += "  " + w + "\n";
    for (const auto& m : step.mismatches) {
      out += "  MISMATCH step " + std::to_string(step.index) + " " + m + "\n";
    }
  }
  return out;
}

}  // namespace mprogsim

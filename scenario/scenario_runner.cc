// SPDX-License-Identifier: GPL-2.0
#include "scenario/scenario_runner.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <concepts>
#include <map>
#include <optional>
#include <span>
#include <string_view>
#include <utility>

#include "model/uapi.h"
#include "scenario/scenario_names.h"

namespace mprogsim {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); i++) out += (i ? "," : "") + items[i];
  return out + "]";
}

// What a bound name denotes. A name whose binding step failed at run time denotes an
// object that does not exist (scenario-format.md, "Objects and names").
struct Bound {
  u32 fd = 0;  // while it exists and is not closed
  u32 id = 0;  // while it exists
  bool exists = false;
  bool closed = false;
};

// scenario-format.md: a name without an open fd (closed, or its binding step failed)
// passes a number that no open file has at that moment, never an old number a later
// object may have been given. INT_MAX: fds are allocated lowest-free, so no process
// here gets near it, and it stays positive as an int (v2's detach reads an fd <= 0 as
// "no program"). The same number serves as "an id no object has": ids count up from 1.
constexpr u32 kNoSuchFd = 0x7fffffff;
constexpr u32 kNoSuchId = 0x7fffffff;

// A step's report line, built by appending: the simulator builds one per control step
// of every execution, and a std::ostringstream's insertions cost more than the rest
// of the line's work. Prints what the stream printed: text as is, integers in
// decimal (characters are refused: a stream would print them as text).
class LineText {
 public:
  LineText& operator<<(std::string_view text) {
    text_ += text;
    return *this;
  }
  template <std::integral T>
  requires(!std::same_as<T, bool> && !std::same_as<T, char> && !std::same_as<T, signed char> &&
           !std::same_as<T, unsigned char>) LineText&
  operator<<(T value) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof(digits), value).ptr;
    text_.append(digits, end);
    return *this;
  }
  // As `<< std::hex << value`: lowercase digits, no prefix.
  void put_hex(u32 value) {
    char digits[8];
    const auto end = std::to_chars(digits, digits + sizeof(digits), value, 16).ptr;
    text_.append(digits, end);
  }
  void clear() { text_.clear(); }
  const std::string& str() const { return text_; }

 private:
  std::string text_;
};

}  // namespace

class ScenarioSession::Runner {
 public:
  Runner(MprogApi& system, Semantics semantics, NameBinding binding)
      : system_(system), bits_(variant_info(semantics)), binding_(binding) {}

  // Fills `step_report`, reusing its storage: the simulator runs a step per control
  // step of every execution, and fresh strings and vectors for each cost more than
  // most steps do.
  void step(const Step& step, std::size_t index, StepReport& step_report,
            ScenarioSession::Observed observed) {
    where_.assign("step ");
    char digits[24];
    where_.append(digits, std::to_chars(digits, digits + sizeof(digits), index).ptr);
    index_ = index;
    step_report.index = index;
    if (observed == ScenarioSession::Observed::kStep) {
      step_report.observed = step;
    } else {
      clear_expectations(&step_report.observed);
    }
    step_report.mismatches.clear();
    step_report.warnings.clear();
    step_report.violations.clear();
    // From the file, a link_attach's binding is known before it runs; from the result,
    // only a link name that is already bound can be refused up front (after the run).
    link_binds_ = binding_ == NameBinding::kFromFile && step_binds(step);
    try {
      names_.check(step, link_binds_, where_);
    } catch (const ScenarioError& e) {
      // "step 4: ..." -> "$.steps[3]: ...": built only for a bad file (steps are many).
      throw ScenarioError(path() + std::string(e.what()).substr(where_.size()));
    }
    const std::size_t warnings_before = system_.warnings().size();
    const std::size_t out_of_bounds_before = system_.out_of_bounds().size();
    run_step(step, &step_report);
    names_.apply(step, link_binds_);
    const auto& warnings = system_.warnings();
    for (std::size_t w = warnings_before; w < warnings.size(); w++) {
      step_report.warnings.push_back(warnings[w]);
    }
    const auto& out_of_bounds = system_.out_of_bounds();
    for (std::size_t v = out_of_bounds_before; v < out_of_bounds.size(); v++) {
      step_report.violations.push_back("out-of-bounds: " + out_of_bounds[v] +
                                       " (the kernel would access memory past the array)");
    }
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
  bool prog_closed(const std::string& name) const { return names_.closed(name); }
  bool link_closed(const std::string& name) const { return names_.closed(name); }

 private:
  [[noreturn]] void bad(const std::string& what) const {
    throw ScenarioError(path() + ": " + what);
  }
  // A bad file names the place by its JSON path, which counts from 0 (the tools add
  // "(step N)", docs/scenario-format.md, "Step numbers").
  std::string path() const { return "$.steps[" + std::to_string(index_ - 1) + "]"; }

  u32 flag_bits(const std::vector<std::string>& names) const {
    u32 bits = 0;
    for (const auto& name : names) {
      for (const auto& [known, bit] : bits_.flags) {
        if (name == known) bits |= bit;
      }
    }
    return bits;
  }

  std::vector<std::string> flag_names(u32 bits) const {
    if (bits == kQueryUnwritten) return {"UNWRITTEN"};
    std::vector<std::string> out;
    for (const auto& [name, bit] : bits_.flags) {
      if (bits & bit) out.emplace_back(name);
    }
    if (bits & ~bits_.attach_mask) out.push_back("0x" + std::to_string(bits));
    return out;
  }

  // The names were checked (ScenarioNames) before the step ran.
  const Bound& prog(const std::string& name) const { return progs_.at(name); }
  const Bound& link(const std::string& name) const { return links_.at(name); }

  u32 fd_of(const Bound& b) const {
    if (b.exists && !b.closed) return b.fd;
    if (system_.prog_id(kNoSuchFd) != -EBADF || system_.link_id(kNoSuchFd) != -EBADF) {
      throw std::logic_error("fd " + std::to_string(kNoSuchFd) + " is open");
    }
    return kNoSuchFd;
  }
  u32 id_of(const Bound& b, bool is_link) const {
    if (b.exists) return b.id;
    if ((is_link ? system_.link_info(kNoSuchId) : system_.prog_info(kNoSuchId)).exists) {
      throw std::logic_error("id " + std::to_string(kNoSuchId) + " exists");
    }
    return kNoSuchId;
  }

  // The relative fd/id and the flags it implies.
  std::pair<u32, u32> relative(const Relative& r) const {
    if (r.kind == Relative::Kind::kNone) return {0, 0};
    u32 flags = r.by_id ? bits_.flag_id : 0;
    if (r.kind == Relative::Kind::kLink) flags |= bits_.flag_link;
    if (r.raw) return {*r.raw, flags};
    const bool is_link = r.kind == Relative::Kind::kLink;
    const Bound& b = is_link ? link(*r.name) : prog(*r.name);
    return {r.by_id ? id_of(b, is_link) : fd_of(b), flags};
  }

  // An element the kernel never wrote prints as UNWRITTEN (no name can match it).
  std::string prog_name(u32 id) const {
    if (id == kQueryUnwritten) return "UNWRITTEN";
    auto it = prog_names_.find(id);
    return it == prog_names_.end() ? "#" + std::to_string(id) : it->second;
  }
  std::string link_name(u32 id) const {
    if (id == kQueryUnwritten) return "UNWRITTEN";
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

  // The arguments that decide a step's result besides its objects, as the kernel
  // receives them, compactly (docs/scenario-format.md, "What replay prints"): the
  // flag word by name (with the ID, LINK and REPLACE bits the runner sets itself),
  // the relative object, the program to replace, a non-zero expected revision. An
  // argument left at 0 is not shown.
  void put_deciding(LineText& line, const Step& step, u32 flags) const {
    if (flags) {
      line << " flags=";
      bool first = true;
      for (const auto& [name, bit] : bits_.flags) {
        if (!(flags & bit)) continue;
        line << (first ? "" : "|") << name;
        first = false;
      }
      if (flags & ~bits_.attach_mask) {
        line << (first ? "" : "|") << "0x";
        line.put_hex(flags & ~bits_.attach_mask);
      }
    }
    const Relative& r = step.relative;
    if (r.kind != Relative::Kind::kNone) {
      line << " relative=" << (r.name ? *r.name : std::to_string(*r.raw))
           << (r.by_id ? " by id" : " by fd");
    }
    if (step.replace) line << " replace=" << *step.replace;
    if (step.expected_revision) line << " expected_revision=" << step.expected_revision;
  }

  void run_step(const Step& step, StepReport* out) {
    // The runner's own stream, emptied for each step: building a stream costs more
    // than most steps do, and the simulator runs millions of steps.
    LineText& line = line_;
    line.clear();
    line << where_ << ": " << step_op_name(step.op);
    switch (step.op) {
      case StepOp::kLoad:
        run_load(step, line, out);
        break;
      case StepOp::kAttach:
        run_attach(step, line, out);
        break;
      case StepOp::kLinkAttach:
        run_link_attach(step, line, out);
        break;
      case StepOp::kLinkUpdate:
        run_link_update(step, line, out);
        break;
      case StepOp::kDetach:
        run_detach(step, line, out);
        break;
      case StepOp::kLinkDetach:
        run_link_detach(step, line, out);
        break;
      case StepOp::kQuery:
        run_query(step, line, out);
        break;
      case StepOp::kRun:
        run_run(step, line, out);
        break;
      case StepOp::kProgClose:
        run_prog_close(step, line);
        break;
      case StepOp::kLinkClose:
        run_link_close(step, line, out);
        break;
      case StepOp::kMiniqInc:
        run_miniq_inc(line);
        break;
      case StepOp::kMiniqDec:
        run_miniq_dec(line);
        break;
      case StepOp::kRefs:
        run_refs(step, line, out);
        break;
    }
    out->line.assign(line.str());
  }

  void run_load(const Step& step, LineText& line, StepReport* out) {
    const int fd =
        system_.prog_load(step.prog_type == "xdp" ? ProgType::kXdp : ProgType::kSchedCls);
    if (fd < 0) {
      // The name denotes a program that does not exist. A load has no `expect`:
      // it is meant to succeed, so a failure is a mismatch, not a bad file.
      progs_[*step.prog] = {};
      line << " " << *step.prog;
      if (step.prog_type != std::string_view("tcx")) line << " type=" << step.prog_type;
      line << " -> " << errno_name(fd);
      out->mismatches.push_back("load: expected OK (a load must succeed), got " + errno_name(fd));
      return;
    }
    const u32 id = static_cast<u32>(system_.prog_id(static_cast<u32>(fd)));
    progs_[*step.prog] = {static_cast<u32>(fd), id, true, false};
    prog_names_[id] = *step.prog;
    // The type decides whether a later attach takes it: shown when not tcx.
    line << " " << *step.prog;
    if (step.prog_type != std::string_view("tcx")) line << " type=" << step.prog_type;
    line << " -> OK (fd " << fd << ", id " << id << ")";
  }

  void run_attach(const Step& step, LineText& line, StepReport* out) {
    const u32 prog_fd = fd_of(prog(*step.prog));
    auto [object, implied] = relative(step.relative);
    u32 flags = flag_bits(step.flags) | implied;
    u32 replace_fd = 0;
    if (step.replace && !bits_.replace_field) {
      if (step.relative.kind != Relative::Kind::kNone) {
        bad("in v2 'replace' is the relative object; give one of 'replace' and 'relative'");
      }
      object = fd_of(prog(*step.replace));
      flags |= bits_.flag_replace;
    } else if (step.replace) {
      // The program to replace has its own field, replace_bpf_fd (upstream).
      replace_fd = fd_of(prog(*step.replace));
      flags |= bits_.flag_replace;
    }
    ProgAttachAttr attr{prog_fd, flags, object, replace_fd, step.expected_revision};
    const int ret = system_.prog_attach(attr);
    line << " " << *step.prog;
    put_deciding(line, step, flags);
    line << " -> " << errno_name(ret);
    expect_ret(step, ret, out);
  }

  void run_link_attach(const Step& step, LineText& line, StepReport* out) {
    const u32 prog_fd = fd_of(prog(*step.prog));
    auto [object, implied] = relative(step.relative);
    LinkCreateAttr attr{prog_fd, flag_bits(step.flags) | implied, object, step.expected_revision};
    const int ret = system_.link_create(attr);
    line << " " << *step.link << " " << *step.prog;
    put_deciding(line, step, attr.flags);
    if (binding_ == NameBinding::kFromResult && ret >= 0) {
      if (progs_.count(*step.link) || links_.count(*step.link)) {
        bad("name '" + *step.link + "' is already bound");
      }
      link_binds_ = true;
    }
    Bound bound;
    if (ret >= 0) {
      const u32 id = static_cast<u32>(system_.link_id(static_cast<u32>(ret)));
      bound = {static_cast<u32>(ret), id, true, false};
      // A link the file does not name (a link_attach expected to fail succeeded)
      // prints by id.
      if (link_binds_) link_names_[id] = *step.link;
      line << " -> OK (fd " << ret << ", id " << id << ")";
    } else {
      line << " -> " << errno_name(ret);
    }
    // A binding link_attach that failed binds its name to a link that does not exist.
    if (link_binds_) links_[*step.link] = bound;
    expect_ret(step, ret >= 0 ? 0 : ret, out);
  }

  void run_link_update(const Step& step, LineText& line, StepReport* out) {
    LinkUpdateAttr attr{fd_of(link(*step.link)), fd_of(prog(*step.prog)), 0, 0};
    if (step.old_prog) {
      attr.old_prog_fd = fd_of(prog(*step.old_prog));
      attr.flags = bits_.flag_replace;
    }
    const int ret = system_.link_update(attr);
    line << " " << *step.link << " " << *step.prog;
    if (step.old_prog) line << " old_prog=" << *step.old_prog << " (flags=REPLACE)";
    line << " -> " << errno_name(ret);
    expect_ret(step, ret, out);
  }

  void run_detach(const Step& step, LineText& line, StepReport* out) {
    const u32 fd = step.prog ? fd_of(prog(*step.prog)) : 0;
    auto [object, implied] = relative(step.relative);
    ProgAttachAttr attr{fd, flag_bits(step.flags) | implied, object, 0, step.expected_revision};
    const int ret = system_.prog_detach(attr);
    line << " " << (step.prog ? *step.prog : "null");
    put_deciding(line, step, attr.attach_flags);
    line << " -> " << errno_name(ret);
    expect_ret(step, ret, out);
  }

  void run_link_detach(const Step& step, LineText& line, StepReport* out) {
    const int ret = system_.link_detach(fd_of(link(*step.link)));
    line << " " << *step.link << " -> " << errno_name(ret);
    expect_ret(step, ret, out);
  }

  void run_run(const Step& step, LineText& line, StepReport* out) {
    std::vector<std::string> ran;
    for (u32 id : system_.run()) ran.push_back(prog_name(id));
    line << " -> ran=" << join(ran);
    out->observed.expect_ran = ran;
    compare("expect_ran", step.expect_ran, ran, step.expect_ran ? join(*step.expect_ran) : "",
            join(ran), out);
  }

  void run_prog_close(const Step& step, LineText& line) {
    Bound& p = progs_.at(*step.prog);
    const int ret = system_.close_fd(fd_of(p));
    p.closed = true;
    line << " " << *step.prog << " -> " << errno_name(ret);
  }

  void run_link_close(const Step& step, LineText& line, StepReport* out) {
    Bound& l = links_.at(*step.link);
    const int ret = system_.close_fd(fd_of(l));
    l.closed = true;
    line << " " << *step.link << " -> " << errno_name(ret);
    expect_ret(step, ret, out);
  }

  void run_miniq_inc(LineText& line) {
    system_.miniq_inc();
    miniq_taken_++;
    line << " -> OK (holds " << system_.miniq_holds() << ")";
  }

  void run_miniq_dec(LineText& line) {
    // The runner counts the holds it took: a broken model that lost one must show
    // as a mismatch, not turn the file bad.
    if (miniq_taken_ == 0) bad("miniq_dec without a hold (no miniq_inc before)");
    miniq_taken_--;
    system_.miniq_dec();
    line << " -> OK (holds " << system_.miniq_holds() << ")";
  }

  void run_refs(const Step& step, LineText& line, StepReport* out) {
    line << " ->";
    // A refs step without expect_refs (a shrinker may drop it) asks nothing.
    static const std::map<std::string, u64> kNothing;
    // What was observed names the objects the step asked about, each with its count
    // (built here, whatever `observed` held before: the step or nothing).
    if (step.expect_refs) out->observed.expect_refs.emplace();
    for (const auto& [name, expected] : step.expect_refs ? *step.expect_refs : kNothing) {
      // An object that does not exist (its binding step failed) has 0.
      u64 actual = 0;
      const bool is_link = !progs_.count(name);
      const Bound& b = is_link ? links_.at(name) : progs_.at(name);
      if (b.exists) {
        const ObjectInfo info = is_link ? system_.link_info(b.id) : system_.prog_info(b.id);
        actual = info.freed ? 0 : info.refcnt;
      }
      line << " " << name << "=" << actual;
      (*out->observed.expect_refs)[name] = actual;
      if (actual != expected) {
        out->mismatches.push_back("expect_refs." + name + ": expected " + std::to_string(expected) +
                                  ", got " + std::to_string(actual));
      }
    }
  }

  void run_query(const Step& step, LineText& line, StepReport* out) {
    constexpr u32 kLargeBuffer = 256;
    QueryAttr attr{0, 0, step.buffer.value_or(kLargeBuffer)};
    const QueryResult r = system_.prog_query(attr);
    // The buffer decides ENOSPC; absent, it is large enough for any count.
    if (step.buffer) line << " buffer=" << *step.buffer;
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
    } else {
      // Nothing was written, so what was observed expects nothing of the buffer: an
      // expectation kept from the step would make the observed step a mismatch.
      out->observed.expect_count.reset();
      out->observed.expect_revision.reset();
      out->observed.expect_progs.reset();
      out->observed.expect_links.reset();
      out->observed.expect_flags.reset();
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
  const VariantInfo& bits_;  // the flag bits by name and by role
  NameBinding binding_;
  std::string where_;                   // "step 3", as the step's line starts
  std::size_t index_ = 0;               // 3: the step, from 1
  ScenarioNames names_;                 // what the file binds: decides what is a bad file
  bool link_binds_ = false;             // whether the running step's link_attach binds its name
  std::map<std::string, Bound> progs_;  // what each bound name denotes
  std::map<std::string, Bound> links_;
  std::map<u32, std::string> prog_names_;
  std::map<u32, std::string> link_names_;
  u32 miniq_taken_ = 0;  // miniq_inc steps not yet matched by a miniq_dec
  LineText line_;        // run_step's report line
};

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
  // The written expectations are the spec's answers, so a link_attach binds its name
  // in the result exactly when it succeeded here.
  ScenarioSession session(*spec, scenario.initial_revision, scenario.semantics,
                          NameBinding::kFromResult);
  for (Step& step : scenario.steps) {
    clear_expectations(&step);
    step = session.step(step).observed;
  }
  return scenario;
}

ScenarioSession::ScenarioSession(MprogApi& system, std::optional<u64> initial_revision,
                                 Semantics semantics, NameBinding binding)
    : runner_(std::make_unique<Runner>(system, semantics, binding)) {
  if (initial_revision) system.set_initial_revision(*initial_revision);
}
ScenarioSession::~ScenarioSession() = default;

StepReport ScenarioSession::step(const Step& step) {
  StepReport report;
  runner_->step(step, ++steps_, report, Observed::kStep);
  return report;
}
void ScenarioSession::step(const Step& step, StepReport& report, Observed observed) {
  runner_->step(step, ++steps_, report, observed);
}
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
  check_names(scenario);  // a bad file is bad before anything runs
  ScenarioSession session(system, scenario.initial_revision, scenario.semantics);
  for (const Step& step : scenario.steps) {
    StepReport step_report = session.step(step);
    const bool held = step_report.mismatches.empty() && step_report.violations.empty();
    (held ? report.passed : report.failed)++;
    report.steps.push_back(std::move(step_report));
  }
  return report;
}

std::string format_report(const ScenarioReport& report) {
  std::string out;
  for (const StepReport& step : report.steps) {
    out += step.line + "\n";
    for (const auto& w : step.warnings) out += "  " + w + "\n";
    for (const auto& v : step.violations) {
      out += "  VIOLATION step " + std::to_string(step.index) + " " + v + "\n";
    }
    for (const auto& m : step.mismatches) {
      out += "  MISMATCH step " + std::to_string(step.index) + " " + m + "\n";
    }
  }
  return out;
}

}  // namespace mprogsim

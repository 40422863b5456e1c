// SPDX-License-Identifier: GPL-2.0
// `mprogsim export --selftest`: a sequential upstream scenario as a C test for the real
// kernel, in the style of the kernel's selftests/bpf/prog_tests/tc_opts.c (libbpf
// bpf_prog_attach_opts, bpf_prog_detach_opts, bpf_prog_query_opts, bpf_link_create,
// LIBBPF_OPTS, ASSERT_*), every value the model predicts asserted. The file builds
// inside test_progs (-DMPROGSIM_IN_TEST_PROGS) or alone against libbpf (it defines the
// ASSERT_* macros it uses and, for libbpf older than 1.3, the tcx calls and options
// over bpf(2)); docs/selftest-export.md says how each op maps and what cannot.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "scenario/scenario.h"

namespace mprogsim::tools {

// A scenario the real kernel cannot run as written (v2 semantics, an initial revision,
// two qdisc holds at once): exit 2 with this message.
class ExportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The C source of one test function per scenario, named serial_test_mprogsim_<stem>
// (with _<n> suffixes for an array); `source` is named in the header comment.
// `from_trace`: the steps come from a trace, whose concurrent schedule is left out.
[[nodiscard]] std::string export_selftest(const std::vector<Scenario>& scenarios,
                                          const std::string& stem, const std::string& source,
                                          bool from_trace);

}  // namespace mprogsim::tools

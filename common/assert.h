// SPDX-License-Identifier: GPL-2.0
// SIM_ASSERT: the simulator's and the harness's own invariants, checked in every
// build (release included). A failure is a bug in this project, never in the input
// or in the mirrored kernel code (those are reported as violations or as one-line
// errors): it prints where and what on stderr and aborts, so a run can never go on
// to report "no violation" from a broken state.
#pragma once

namespace mprogsim {

[[noreturn]] void sim_assert_failed(const char* condition, const char* why, const char* file,
                                    int line);

}  // namespace mprogsim

#define SIM_ASSERT(condition, why)    \
  ((condition) ? static_cast<void>(0) \
               : ::mprogsim::sim_assert_failed(#condition, (why), __FILE__, __LINE__))

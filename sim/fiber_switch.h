// SPDX-License-Identifier: GPL-2.0
// AddressSanitizer must be told when execution moves to another stack, or it
// reports the fibers' stacks as overflows (the Debian Boost.Context build has no
// such annotations for its fcontext backend). Every switch between the scheduler
// and a simulated thread goes through these; without ASan they compile to nothing.
#pragma once

#include <cstddef>

#if defined(__SANITIZE_ADDRESS__)
#define MPROGSIM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MPROGSIM_ASAN 1
#endif
#endif

#ifdef MPROGSIM_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

namespace mprogsim::sim {

// About to leave the current stack for [bottom, bottom + size). `fake_stack` saves
// the current stack's ASan state; pass null when the current fiber is finishing.
inline void start_switch([[maybe_unused]] void** fake_stack, [[maybe_unused]] const void* bottom,
                         [[maybe_unused]] std::size_t size) {
#ifdef MPROGSIM_ASAN
  __sanitizer_start_switch_fiber(fake_stack, bottom, size);
#endif
}

// Arrived on a stack; reports the stack we came from when asked.
inline void finish_switch([[maybe_unused]] void* fake_stack,
                          [[maybe_unused]] const void** from_bottom,
                          [[maybe_unused]] std::size_t* from_size) {
#ifdef MPROGSIM_ASAN
  __sanitizer_finish_switch_fiber(fake_stack, from_bottom, from_size);
#endif
}

}  // namespace mprogsim::sim

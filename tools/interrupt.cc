// SPDX-License-Identifier: GPL-2.0
#include "tools/interrupt.h"

#include <csignal>

namespace mprogsim::tools {
namespace {

std::atomic<bool> g_interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free, "read from a signal handler");
struct sigaction g_previous {};

extern "C" void on_sigint(int) { g_interrupted.store(true); }

}  // namespace

InterruptScope::InterruptScope() {
  struct sigaction old {};
  if (sigaction(SIGINT, nullptr, &old) != 0 || old.sa_handler == SIG_IGN) return;
  struct sigaction sa {};
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  // The first SIGINT stops the campaign; the handler is then the default again,
  // so a second one ends the process.
  sa.sa_flags = SA_RESETHAND;
  installed_ = sigaction(SIGINT, &sa, &g_previous) == 0;
}

InterruptScope::~InterruptScope() {
  if (installed_) sigaction(SIGINT, &g_previous, nullptr);
}

const std::atomic<bool>* InterruptScope::flag() const { return &g_interrupted; }

}  // namespace mprogsim::tools

// SPDX-License-Identifier: GPL-2.0
#include "sim/transition.h"

namespace mprogsim::sim {

bool Transition::writes() const {
  switch (kind) {
    case StepKind::kAccess:
      switch (access) {
        case MemAccess::kWriteOnce:
        case MemAccess::kPlainWrite:
        case MemAccess::kRcuAssign:
        case MemAccess::kRefInc:
        case MemAccess::kRefDec:
          return true;
        default:
          return false;
      }
    case StepKind::kFree:
      return true;
    default:
      return false;
  }
}

const char* step_kind_name(StepKind kind) {
  switch (kind) {
    case StepKind::kStart:
      return "start";
    case StepKind::kAccess:
      return "access";
    case StepKind::kRcuLock:
      return "rcu_read_lock";
    case StepKind::kRcuUnlock:
      return "rcu_read_unlock";
    case StepKind::kSyncStart:
      return "synchronize_rcu";
    case StepKind::kSyncWait:
      return "synchronize_rcu returns";
    case StepKind::kCallRcu:
      return "call_rcu";
    case StepKind::kFree:
      return "kfree";
    case StepKind::kCallback:
      return "rcu callback";
  }
  return "?";
}

const char* access_name(MemAccess access) {
  switch (access) {
    case MemAccess::kReadOnce:
      return "READ_ONCE";
    case MemAccess::kWriteOnce:
      return "WRITE_ONCE";
    case MemAccess::kPlainRead:
      return "plain read";
    case MemAccess::kPlainWrite:
      return "plain write";
    case MemAccess::kRcuAssign:
      return "rcu_assign_pointer";
    case MemAccess::kRcuDeref:
      return "rcu_dereference";
    case MemAccess::kProgRun:
      return "bpf_prog_run";
    case MemAccess::kRefInc:
      return "refcount inc";
    case MemAccess::kRefDec:
      return "refcount dec";
  }
  return "?";
}

namespace {

bool is_rcu_state(StepKind k) {
  return k == StepKind::kRcuLock || k == StepKind::kRcuUnlock || k == StepKind::kSyncStart ||
         k == StepKind::kSyncWait || k == StepKind::kCallRcu;
}

bool overlaps(const Transition& a, const Transition& b) {
  const auto* pa = static_cast<const char*>(a.addr);
  const auto* pb = static_cast<const char*>(b.addr);
  if (a.kind == StepKind::kFree) return pb >= pa && pb < pa + a.size;
  if (b.kind == StepKind::kFree) return pa >= pb && pa < pb + b.size;
  return pa == pb;
}

}  // namespace

bool dependent(const Transition& a, const Transition& b) {
  // A thread's first step runs harness code (fd tables, names) no reader touches,
  // but it may start an operation: treat it as touching nothing shared.
  if (a.kind == StepKind::kStart || b.kind == StepKind::kStart) return false;
  // Callbacks free memory nobody announced: dependent with everything.
  if (a.kind == StepKind::kCallback || b.kind == StepKind::kCallback) return true;
  // Read-side sections against grace periods: a lock or unlock changes which
  // readers a grace period waits for, and an unlock can end one.
  if (is_rcu_state(a.kind) && is_rcu_state(b.kind)) {
    const bool a_reader = a.kind == StepKind::kRcuLock || a.kind == StepKind::kRcuUnlock;
    const bool b_reader = b.kind == StepKind::kRcuLock || b.kind == StepKind::kRcuUnlock;
    return a_reader != b_reader;
  }
  const bool a_mem = a.kind == StepKind::kAccess || a.kind == StepKind::kFree;
  const bool b_mem = b.kind == StepKind::kAccess || b.kind == StepKind::kFree;
  if (!a_mem || !b_mem) return false;
  if (!a.writes() && !b.writes()) return false;
  return overlaps(a, b);
}

}  // namespace mprogsim::sim

// SPDX-License-Identifier: GPL-2.0
// The mirror's C-level details that scenarios cannot see directly: the peer swap,
// the revision's int-to-u64 conversion and its wrap past 0.
#include "model/v2/bpf_mprog.h"

#include <gtest/gtest.h>

#include "model/sequential_hooks.h"

namespace mprogsim::v2 {
namespace {

class BpfMprogTest : public ::testing::Test {
 protected:
  BpfMprogTest() : scope_(&hooks_, &objects_) {}
  ~BpfMprogTest() override {
    if (entry_) bpf_mprog_free(entry_);
    hooks_.drain();
    bpf_mprog_set_initial_revision(1);
  }
  SequentialHooks hooks_;
  BpfObjects objects_;
  KernelScope scope_;
  bpf_mprog_entry* entry_ = nullptr;
};

TEST_F(BpfMprogTest, PeerOfAIsBAndBack) {
  entry_ = bpf_mprog_create(0);
  ASSERT_NE(entry_, nullptr);
  EXPECT_EQ(bpf_mprog_peer(entry_), &entry_->parent->b);
  EXPECT_EQ(bpf_mprog_peer(bpf_mprog_peer(entry_)), entry_);
  EXPECT_EQ(bpf_mprog_revision(entry_), 1u);
  EXPECT_EQ(bpf_mprog_max(), 63u);
}

TEST_F(BpfMprogTest, RevisionIsAnIntSignExtendedIntoU64) {
  bpf_mprog_set_initial_revision(static_cast<int>(0x80000000U));
  entry_ = bpf_mprog_create(0);
  EXPECT_EQ(bpf_mprog_revision(entry_), 0xffffffff80000000ULL);
  EXPECT_NE(static_cast<u64>(0x80000000U), bpf_mprog_revision(entry_))
      << "so a u32 expected_revision of 0x80000000 can never match";
}

TEST_F(BpfMprogTest, CommitSkipsZeroOnWrap) {
  bpf_mprog_set_initial_revision(-1);
  entry_ = bpf_mprog_create(0);
  bpf_mprog_commit(entry_);
  EXPECT_EQ(bpf_mprog_revision(entry_), 1u);
}

TEST_F(BpfMprogTest, AttachWritesThePeerAndLeavesTheEntryAlone) {
  entry_ = bpf_mprog_create(0);
  const int fd = objects_.prog_load(BPF_PROG_TYPE_SCHED_CLS);
  bpf_prog* prog = bpf_prog_get(static_cast<u32>(fd));
  EXPECT_EQ(bpf_mprog_attach(entry_, prog, nullptr, 0, 0, 0), BPF_MPROG_SWAP);
  EXPECT_EQ(bpf_mprog_total(entry_), 0u);
  EXPECT_EQ(bpf_mprog_total(bpf_mprog_peer(entry_)), 1u);
  EXPECT_EQ(bpf_mprog_first(bpf_mprog_peer(entry_)), prog);
  bpf_prog_put(prog);  // the test, not the entry, owned this reference
}

}  // namespace
}  // namespace mprogsim::v2

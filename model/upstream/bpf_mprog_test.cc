// SPDX-License-Identifier: GPL-2.0
// The upstream mirror's C-level details that scenarios cannot see directly: the bundle's
// shared cp_items and count, insert/delete index arithmetic in the peer, replace in place
// with entry_new == entry, the 64-bit revision, and the model's guards (a walk past the
// array, an out-of-range index) that only a broken variant reaches.
#include "model/upstream/bpf_mprog.h"

#include <gtest/gtest.h>

#include <vector>

#include "model/sequential_hooks.h"
#include "model/upstream/tcx.h"

namespace mprogsim::upstream {
namespace {

class UpstreamBpfMprogTest : public ::testing::Test {
 protected:
  UpstreamBpfMprogTest() : scope_(&hooks_, &objects_) {}
  ~UpstreamBpfMprogTest() override {
    if (entry_) tcx_entry_free(entry_);
    hooks_.drain();
    bpf_mprog_set_initial_revision(1);
  }

  // A loaded program, with one reference the test owns.
  bpf_prog* prog() {
    const int fd = objects_.prog_load(BPF_PROG_TYPE_SCHED_CLS);
    return bpf_prog_get(static_cast<u32>(fd));
  }
  u32 fd_of(const bpf_prog* p) {
    for (u32 fd = 3; fd < 200; fd++) {
      if (objects_.prog_id_of_fd(fd) == static_cast<int>(p->model_id)) return fd;
    }
    return 0;
  }
  // Attaches on `entry_` and makes entry_new the current entry, as tcx would.
  int attach(bpf_prog* p, u32 flags = 0, u32 id_or_fd = 0, bpf_prog* old = nullptr) {
    bpf_mprog_entry* entry_new = nullptr;
    const int ret = bpf_mprog_attach(entry_, &entry_new, p, nullptr, old, flags, id_or_fd, 0);
    if (ret == 0) {
      bpf_mprog_commit(entry_);
      entry_ = entry_new;
    }
    return ret;
  }
  int detach(bpf_prog* p, u32 flags = 0, u32 id_or_fd = 0) {
    bpf_mprog_entry* entry_new = nullptr;
    const int ret = bpf_mprog_detach(entry_, &entry_new, p, nullptr, flags, id_or_fd, 0);
    if (ret == 0) {
      bpf_mprog_commit(entry_);
      entry_ = entry_new;
    }
    return ret;
  }
  std::vector<bpf_prog*> list() const {
    std::vector<bpf_prog*> out;
    const bpf_mprog_fp* fp;
    bpf_prog* p;
    bpf_mprog_foreach_prog(entry_, fp, p) out.push_back(p);
    return out;
  }

  SequentialHooks hooks_;
  BpfObjects objects_;
  KernelScope scope_;
  bpf_mprog_entry* entry_ = nullptr;
};

TEST_F(UpstreamBpfMprogTest, BundleStartsEmptyAtRevisionOne) {
  entry_ = tcx_entry_create();
  ASSERT_NE(entry_, nullptr);
  EXPECT_EQ(entry_, &entry_->parent->a);
  EXPECT_EQ(bpf_mprog_peer(entry_), &entry_->parent->b);
  EXPECT_EQ(bpf_mprog_peer(bpf_mprog_peer(entry_)), entry_);
  EXPECT_EQ(bpf_mprog_revision(entry_), 1u);
  EXPECT_EQ(bpf_mprog_total(entry_), 0);
  EXPECT_EQ(bpf_mprog_max(), 63);
  EXPECT_EQ(tcx_entry_of(entry_)->miniq_active, 0u);
}

TEST_F(UpstreamBpfMprogTest, RevisionIsSixtyFourBits) {
  bpf_mprog_set_initial_revision(0xffffffffLL);
  entry_ = tcx_entry_create();
  bpf_mprog_commit(entry_);
  EXPECT_EQ(bpf_mprog_revision(entry_), 0x100000000ULL) << "no 32-bit wrap, no skipping";
  bpf_mprog_set_initial_revision(-1);  // 0xffff...ffff as a u64
  bpf_mprog_entry* other = tcx_entry_create();
  EXPECT_EQ(bpf_mprog_revision(other), ~0ULL);
  bpf_mprog_commit(other);
  EXPECT_EQ(bpf_mprog_revision(other), 0u) << "atomic64_inc wraps like the kernel's";
  tcx_entry_free(other);
}

TEST_F(UpstreamBpfMprogTest, InsertWritesThePeerAndSharesLinkSlots) {
  entry_ = tcx_entry_create();
  bpf_mprog_entry* const a = entry_;
  bpf_prog* p1 = prog();
  bpf_mprog_entry* entry_new = nullptr;
  ASSERT_EQ(bpf_mprog_attach(entry_, &entry_new, p1, nullptr, nullptr, 0, 0, 0), 0);
  EXPECT_EQ(entry_new, bpf_mprog_peer(a));
  EXPECT_EQ(READ_ONCE(a->fp_items[0].prog), nullptr) << "the published entry is untouched";
  EXPECT_EQ(READ_ONCE(entry_new->fp_items[0].prog), p1);
  EXPECT_EQ(a->parent->count, 1u) << "one count per bundle, already the new one";
  EXPECT_EQ(&a->parent->cp_items[0], &entry_new->parent->cp_items[0]);
  bpf_mprog_commit(entry_);
  entry_ = entry_new;
  EXPECT_EQ(bpf_mprog_revision(entry_), 2u);
}

TEST_F(UpstreamBpfMprogTest, BeforeAndAfterIndexArithmetic) {
  entry_ = tcx_entry_create();
  bpf_prog *p1 = prog(), *p2 = prog(), *p3 = prog(), *p4 = prog(), *p5 = prog();
  ASSERT_EQ(attach(p1), 0);
  ASSERT_EQ(attach(p2), 0);
  ASSERT_EQ(attach(p3), 0);
  // |P1|P2|P3| before P3 -> |P1|P2|P4|P3|
  ASSERT_EQ(attach(p4, BPF_F_BEFORE, fd_of(p3)), 0);
  EXPECT_EQ(list(), (std::vector<bpf_prog*>{p1, p2, p4, p3}));
  // after P1 -> |P1|P5|P2|P4|P3|
  ASSERT_EQ(attach(p5, BPF_F_AFTER | BPF_F_ID, p1->aux->id), 0);
  EXPECT_EQ(list(), (std::vector<bpf_prog*>{p1, p5, p2, p4, p3}));
  EXPECT_EQ(bpf_mprog_total(entry_), 5);
  // Delete from the front (-1) and from the back (total).
  ASSERT_EQ(detach(nullptr, BPF_F_BEFORE), 0);
  ASSERT_EQ(detach(nullptr, BPF_F_AFTER), 0);
  EXPECT_EQ(list(), (std::vector<bpf_prog*>{p5, p2, p4}));
  EXPECT_EQ(bpf_mprog_revision(entry_), 8u);
  // The link half moved with the programs.
  for (int i = 0; i < 3; i++) EXPECT_EQ(entry_->parent->cp_items[i].link, nullptr);
  EXPECT_TRUE(hooks_.warnings().empty());
}

TEST_F(UpstreamBpfMprogTest, ReplaceWritesInPlaceAndPutsTheOldProgramAtOnce) {
  entry_ = tcx_entry_create();
  bpf_prog *p1 = prog(), *p2 = prog();
  bpf_prog_inc(p1);  // the attach reference the entry will own
  ASSERT_EQ(attach(p1), 0);
  bpf_mprog_entry* const published = entry_;
  const s64 before = p1->aux->refcnt;
  bpf_prog_inc(p2);
  ASSERT_EQ(attach(p2, BPF_F_REPLACE, 0, p1), 0);
  EXPECT_EQ(entry_, published) << "entry_new == entry: nothing to swap";
  EXPECT_EQ(list(), (std::vector<bpf_prog*>{p2}));
  EXPECT_EQ(p1->aux->refcnt, before - 1);
  EXPECT_EQ(bpf_mprog_revision(entry_), 3u);
}

TEST_F(UpstreamBpfMprogTest, DetachedProgIsReleasedOnlyOnCommit) {
  entry_ = tcx_entry_create();
  bpf_prog* p1 = prog();
  bpf_prog_inc(p1);
  ASSERT_EQ(attach(p1), 0);
  bpf_mprog_entry* entry_new = nullptr;
  const s64 before = p1->aux->refcnt;
  ASSERT_EQ(bpf_mprog_detach(entry_, &entry_new, p1, nullptr, 0, 0, 0), 0);
  EXPECT_EQ(entry_->parent->ref, p1);
  EXPECT_EQ(p1->aux->refcnt, before) << "readers may still run it";
  bpf_mprog_commit(entry_);
  EXPECT_EQ(p1->aux->refcnt, before - 1);
  EXPECT_EQ(entry_->parent->ref, nullptr);
  entry_ = entry_new;
}

TEST_F(UpstreamBpfMprogTest, CheckOrderEstaleThenEexistThenRelativeThenFull) {
  entry_ = tcx_entry_create();
  bpf_prog *p1 = prog(), *p2 = prog();
  ASSERT_EQ(attach(p1), 0);
  bpf_mprog_entry* entry_new = nullptr;
  // A stale revision wins over everything else.
  EXPECT_EQ(bpf_mprog_attach(entry_, &entry_new, p1, nullptr, nullptr, BPF_F_BEFORE, 999, 7),
            -ESTALE);
  // Then EEXIST, before the bad relative fd is looked at.
  EXPECT_EQ(bpf_mprog_attach(entry_, &entry_new, p1, nullptr, nullptr, BPF_F_BEFORE, 999, 0),
            -EEXIST);
  EXPECT_EQ(bpf_mprog_attach(entry_, &entry_new, p2, nullptr, nullptr, BPF_F_BEFORE, 999, 0),
            -EBADF);
  // Detach: REPLACE is refused before the revision is looked at.
  EXPECT_EQ(bpf_mprog_detach(entry_, &entry_new, p1, nullptr, BPF_F_REPLACE, 0, 7), -EINVAL);
  EXPECT_EQ(bpf_mprog_detach(entry_, &entry_new, p1, nullptr, 0, 0, 7), -ESTALE);
}

TEST_F(UpstreamBpfMprogTest, FullArrayRefusesEveryInsert) {
  entry_ = tcx_entry_create();
  std::vector<bpf_prog*> progs;
  for (int i = 0; i < 63; i++) {
    progs.push_back(prog());
    ASSERT_EQ(attach(progs.back()), 0);
  }
  bpf_prog* extra = prog();
  EXPECT_EQ(attach(extra), -ERANGE);
  EXPECT_EQ(attach(extra, BPF_F_BEFORE), -ERANGE);
  EXPECT_EQ(attach(extra, BPF_F_BEFORE, fd_of(progs.back())), -ERANGE);
  EXPECT_EQ(attach(extra, BPF_F_AFTER), -ERANGE);
  EXPECT_EQ(bpf_mprog_total(entry_), 63);
  EXPECT_EQ(READ_ONCE(entry_->fp_items[63].prog), nullptr) << "the terminator";
  EXPECT_TRUE(hooks_.warnings().empty());
}

TEST_F(UpstreamBpfMprogTest, WithoutTheMaxFixAFullArrayOverflowsAndWarns) {
  // The mutant belongs to the scope that installs the hooks (as a System's calls do).
  const KernelScope mutant(&hooks_, &objects_, Mutant::kUpstreamMaxCheckBefore);
  entry_ = tcx_entry_create();
  for (int i = 0; i < 63; i++) ASSERT_EQ(attach(prog()), 0);
  bpf_prog* extra = prog();
  ASSERT_EQ(attach(extra, BPF_F_BEFORE), 0) << "the syzbot reproducer of the fix";
  EXPECT_EQ(entry_->parent->count, 64u);
  EXPECT_TRUE(hooks_.out_of_bounds().empty());
  EXPECT_EQ(list().size(), 64u) << "the walk ends where the array does";
  ASSERT_EQ(hooks_.out_of_bounds().size(), 1u) << "the kernel would read `parent` next";
  EXPECT_EQ(hooks_.out_of_bounds()[0],
            "fp_items: a walk past the 64-slot array (no NULL slot in it)");
  EXPECT_EQ(bpf_mprog_total(entry_), 64);
  ASSERT_FALSE(hooks_.warnings().empty());
  EXPECT_NE(hooks_.warnings().back().find("total > bpf_mprog_max()"), std::string::npos);
}

TEST_F(UpstreamBpfMprogTest, EmptyEntryDetachIsEnoentAndWithoutTheFixReadsSlotMinusOne) {
  entry_ = tcx_entry_create();
  bpf_mprog_entry* entry_new = nullptr;
  EXPECT_EQ(bpf_mprog_detach(entry_, &entry_new, nullptr, nullptr, 0, 0, 0), -ENOENT);
  EXPECT_TRUE(hooks_.warnings().empty());
  const KernelScope mutant(&hooks_, &objects_, Mutant::kUpstreamEmptyDetachBefore);
  EXPECT_EQ(bpf_mprog_detach(entry_, &entry_new, nullptr, nullptr, 0, 0, 0), 0);
  ASSERT_FALSE(hooks_.out_of_bounds().empty()) << "UBSAN's index 4294967295";
  EXPECT_EQ(hooks_.out_of_bounds().front(),
            "bpf_mprog_read: fp_items[4294967295 (-1 as an int)] of a 64-slot array");
}

TEST_F(UpstreamBpfMprogTest, QueryWithoutEntryIsCountZeroRevisionOne) {
  u32 ids[4] = {};
  bpf_mprog_query_attr attr = {0, 0, 4, ids, nullptr, nullptr, nullptr};
  bpf_mprog_query_uattr uattr = {7, 7, 7};
  EXPECT_EQ(bpf_mprog_query(&attr, &uattr, nullptr), 0);
  EXPECT_EQ(uattr.count, 0u);
  EXPECT_EQ(uattr.revision, 1u);
  EXPECT_EQ(uattr.attach_flags, 0u);
  attr.attach_flags = 1;
  EXPECT_EQ(bpf_mprog_query(&attr, &uattr, nullptr), -EINVAL);
}

}  // namespace
}  // namespace mprogsim::upstream

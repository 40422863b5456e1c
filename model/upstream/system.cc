// SPDX-License-Identifier: GPL-2.0
#include "model/upstream/system.h"

#include <algorithm>

namespace mprogsim::upstream {

System::System(Mutant mutant) : SystemHarness(false, mutant) {}
System::System(Driven, Mutant mutant) : SystemHarness(true, mutant) {}

System::~System() {
  // model: the device goes away with the process; free what is still published so
  // that nothing leaks (dev_tcx_uninstall is not part of the modelled API). Always
  // sequential, also for a driven system: the driver is done with it.
  driven_ = false;
  CallScope scope(this);
  if (dev_.tcx_ingress) {
    bpf_mprog_entry* entry = dev_.tcx_ingress;
    dev_.tcx_ingress = nullptr;
    tcx_entry_free(entry);
  }
}

// clang-format off
int System::prog_attach(const ProgAttachAttr& a) {
	CallScope scope(this);
	tcx_attach_attr attr = {a.attach_flags, a.relative_fd, a.replace_bpf_fd,
				a.expected_revision};
	bpf_prog_type ptype;
	bpf_prog *prog;
	int ret;

	// bpf_prog_attach(). model: CHECK_ATTR() cannot fail (no unknown fields), and
	// attach_type is BPF_TCX_INGRESS, whose program type is SCHED_CLS.
	ptype = BPF_PROG_TYPE_SCHED_CLS;
	if (bpf_mprog_supported(ptype)) {
		if (attr.attach_flags & ~BPF_F_ATTACH_MASK_MPROG)
			return -EINVAL;
	}

	prog = bpf_prog_get_type(a.attach_bpf_fd, ptype);
	if (IS_ERR(prog))
		return PTR_ERR(prog);

	// bpf_prog_attach_check_attach_type(): SCHED_CLS may go to BPF_TCX_INGRESS.
	ret = tcx_prog_attach(&dev_, &attr, prog);

	if (ret)
		bpf_prog_put(prog);
	return ret;
}

int System::prog_detach(const ProgAttachAttr& a) {
	CallScope scope(this);
	tcx_attach_attr attr = {a.attach_flags, a.relative_fd, a.replace_bpf_fd,
				a.expected_revision};
	bpf_prog *prog = nullptr;
	bpf_prog_type ptype;
	int ret;

	// bpf_prog_detach(). model: no capability checks, the process is privileged.
	ptype = BPF_PROG_TYPE_SCHED_CLS;
	if (bpf_mprog_supported(ptype)) {
		if (attr.attach_flags & ~BPF_F_ATTACH_MASK_MPROG)
			return -EINVAL;
		if (a.attach_bpf_fd) {
			prog = bpf_prog_get_type(a.attach_bpf_fd, ptype);
			if (IS_ERR(prog))
				return PTR_ERR(prog);
		}
	}

	ret = tcx_prog_detach(&dev_, &attr, prog);

	if (prog)
		bpf_prog_put(prog);
	return ret;
}

int System::link_create(const LinkCreateAttr& a) {
	CallScope scope(this);
	tcx_link_create_attr attr = {a.flags, a.relative_fd, a.expected_revision};
	bpf_prog *prog;
	int ret;

	// link_create()
	prog = bpf_prog_get(a.prog_fd);
	if (IS_ERR(prog))
		return PTR_ERR(prog);

	// bpf_prog_attach_check_attach_type(prog, BPF_TCX_INGRESS): any other type maps
	// the attach type to SCHED_CLS and finds a mismatch.
	ret = prog->type == BPF_PROG_TYPE_SCHED_CLS ? 0 : -EINVAL;
	if (ret)
		goto out;

	ret = tcx_link_attach(&dev_, &attr, prog);
out:
	if (ret < 0)
		bpf_prog_put(prog);
	return ret;
}

int System::link_update(const LinkUpdateAttr& a) {
	CallScope scope(this);
	bpf_prog *old_prog = nullptr, *new_prog;
	bpf_link *link;
	u32 flags;
	int ret;

	// link_update()
	flags = a.flags;
	if (flags & ~BPF_F_REPLACE)
		return -EINVAL;

	link = bpf_link_get_from_fd(a.link_fd);
	if (IS_ERR(link))
		return PTR_ERR(link);

	new_prog = bpf_prog_get(a.new_prog_fd);
	if (IS_ERR(new_prog)) {
		ret = PTR_ERR(new_prog);
		goto out_put_link;
	}

	if (flags & BPF_F_REPLACE) {
		old_prog = bpf_prog_get(a.old_prog_fd);
		if (IS_ERR(old_prog)) {
			ret = PTR_ERR(old_prog);
			old_prog = nullptr;
			goto out_put_progs;
		}
	} else if (a.old_prog_fd) {
		ret = -EINVAL;
		goto out_put_progs;
	}

	if (link->ops->update_prog)
		ret = link->ops->update_prog(link, new_prog, old_prog);
	else
		ret = -EINVAL;

out_put_progs:
	if (old_prog)
		bpf_prog_put(old_prog);
	if (ret)
		bpf_prog_put(new_prog);
out_put_link:
	bpf_link_put(link);	// bpf_link_put_direct()
	return ret;
}

int System::link_detach(u32 link_fd) {
	CallScope scope(this);
	bpf_link *link;
	int ret;

	// link_detach()
	link = bpf_link_get_from_fd(link_fd);
	if (IS_ERR(link))
		return PTR_ERR(link);

	if (link->ops->detach)
		ret = link->ops->detach(link);
	else
		ret = -EOPNOTSUPP;

	bpf_link_put(link);	// bpf_link_put_direct()
	return ret;
}
// clang-format on

int System::close_fd(u32 fd) {
  CallScope scope(this);
  return objects_.close_fd(fd);
}

QueryResult System::prog_query(const QueryAttr& a) {
  CallScope scope(this);
  QueryResult result;
  const u32 offered = a.count;
  // The user's arrays, filled with a poison pattern: what the kernel leaves unwritten
  // shows as kQueryUnwritten instead of passing for a zero it wrote. The kernel is
  // told `offered` but cannot write past the attached programs (kMaxQueryBuffer).
  static_assert(BPF_MPROG_MAX <= kMaxQueryBuffer, "the kernel may copy out BPF_MPROG_MAX ids");
  const u32 allocated = std::min(offered, kMaxQueryBuffer);
  std::vector<u32> prog_ids(allocated, kQueryUnwritten), prog_af(allocated, kQueryUnwritten),
      link_ids(allocated, kQueryUnwritten), link_af(allocated, kQueryUnwritten);
  bpf_mprog_query_attr attr = {a.query_flags,
                               a.attach_flags,
                               offered,
                               offered ? prog_ids.data() : nullptr,
                               offered ? prog_af.data() : nullptr,
                               offered ? link_ids.data() : nullptr,
                               offered ? link_af.data() : nullptr};
  // Sentinels show which fields the kernel wrote.
  bpf_mprog_query_uattr uattr = {0xdeadbeef, 0xdeadbeefdeadbeefULL, 0xdeadbeef};
  // bpf_prog_query(): only BPF_F_QUERY_EFFECTIVE may be asked for (tcx then refuses
  // it too); the attach type BPF_TCX_INGRESS goes to tcx_prog_query().
  if (a.query_flags & ~BPF_F_QUERY_EFFECTIVE) {
    result.ret = -EINVAL;
    return result;
  }
  result.ret = tcx_prog_query(&dev_, &attr, &uattr);
  if (result.ret == 0 || result.ret == -ENOSPC) {
    result.written = true;
    result.attach_flags = uattr.attach_flags;
    result.count = uattr.count;
    result.revision = uattr.revision;
    const u32 filled = std::min({offered, uattr.count, allocated});
    prog_ids.resize(filled);
    prog_af.resize(filled);
    link_ids.resize(filled);
    link_af.resize(filled);
    result.prog_ids = std::move(prog_ids);
    result.prog_attach_flags = std::move(prog_af);
    result.link_ids = std::move(link_ids);
    result.link_attach_flags = std::move(link_af);
  }
  return result;
}

void System::run_into(std::vector<u32>& ran) {
  CallScope scope(this);
  ran.clear();
  tcx_run(&dev_, &ran);
}

void System::miniq_inc() {
  CallScope scope(this);
  rtnl_lock();  // qdisc changes run under RTNL
  (void)tcx_ingress_init(&dev_);
  rtnl_unlock();
}

void System::miniq_dec() {
  CallScope scope(this);
  rtnl_lock();
  tcx_ingress_destroy(&dev_);
  rtnl_unlock();
}

u32 System::miniq_holds() const {
  return dev_.tcx_ingress ? tcx_entry_of(dev_.tcx_ingress)->miniq_active : 0;
}

void System::set_initial_revision(u64 revision) { initial_revision_ = static_cast<s64>(revision); }

}  // namespace mprogsim::upstream

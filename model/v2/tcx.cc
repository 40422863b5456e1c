// SPDX-License-Identifier: GPL-2.0
// Mirror of kernel/bpf/tcx.c (v2 2/7) and the tcx parts of sch_ingress.c and dev.c.
#include "model/v2/tcx.h"

namespace mprogsim::v2 {

// clang-format off
namespace {

void tcx_skeys_inc(net_device *dev, bool ingress)
{
	dev->tcx_needed_key++;			// tcx_inc()
	if (ingress)
		dev->ingress_queue++;		// net_inc_ingress_queue()
}

void tcx_skeys_dec(net_device *dev, bool ingress)
{
	if (ingress && !mutant_active(Mutant::kSkeysDecKeepsQueue))	// mutant
		dev->ingress_queue--;		// net_dec_ingress_queue()
	dev->tcx_needed_key--;			// tcx_dec()
}

bool tcx_release_entry(bpf_mprog_entry *entry, int code)
{
	return code == BPF_MPROG_FREE && !tcx_entry_of(entry)->miniq;
}

void tcx_link_release(bpf_link *l);
int tcx_link_detach(bpf_link *l);
void tcx_link_dealloc(bpf_link *l);
int tcx_link_update(bpf_link *l, bpf_prog *nprog, bpf_prog *oprog);

const bpf_link_ops tcx_link_lops = {
	.release	= tcx_link_release,
	.detach		= tcx_link_detach,
	.dealloc	= tcx_link_dealloc,
	.update_prog	= tcx_link_update,
};

}  // namespace

void rtnl_lock()
{
	// model: the control path is serialized by the caller (System, or the
	// simulator's lock); nothing to do in a sequential run.
}

void rtnl_unlock()
{
}

void tcx_entry_update(net_device *dev, bpf_mprog_entry *entry, bool ingress)
{
	if (ingress)
		rcu_assign_pointer(dev->tcx_ingress, entry);
}

bpf_mprog_entry *dev_tcx_entry_fetch(net_device *dev, bool ingress)
{
	// rcu_dereference_rtnl: under RTNL, no datapath ordering needed.
	return ingress ? dev->tcx_ingress : nullptr;
}

bpf_mprog_entry *dev_tcx_entry_fetch_or_create(net_device *dev, bool ingress, bool *created)
{
	bpf_mprog_entry *entry = dev_tcx_entry_fetch(dev, ingress);

	*created = false;
	if (!entry) {
		// model: sizeof_field(struct tcx_entry, miniq), with the padding C++ adds.
		entry = bpf_mprog_create(sizeof(tcx_entry) - sizeof(bpf_mprog_bundle));
		if (!entry)
			return nullptr;
		*created = true;
	}
	return entry;
}

int tcx_prog_attach(net_device *dev, const tcx_attach_attr *attr, bpf_prog *prog)
{
	bool created, ingress = true;
	bpf_mprog_entry *entry;
	int ret;

	rtnl_lock();
	entry = dev_tcx_entry_fetch_or_create(dev, ingress, &created);
	if (!entry) {
		ret = -ENOMEM;
		goto out;
	}
	if (mutant_active(Mutant::kPublishBeforeWritten))
		tcx_entry_update(dev, bpf_mprog_peer(entry), ingress);
	ret = bpf_mprog_attach(entry, prog, nullptr, attr->attach_flags,
			       attr->relative_fd, attr->expected_revision);
	if (mutant_active(Mutant::kPublishBeforeWritten) && ret != BPF_MPROG_SWAP)
		tcx_entry_update(dev, created ? nullptr : entry, ingress);
	if (ret >= 0) {
		if (ret == BPF_MPROG_SWAP)
			tcx_entry_update(dev, bpf_mprog_peer(entry), ingress);
		bpf_mprog_commit(entry);
		tcx_skeys_inc(dev, ingress);
		ret = 0;
	} else if (created) {
		bpf_mprog_free(entry);
	}
out:
	rtnl_unlock();
	return ret;
}

int tcx_prog_detach(net_device *dev, const tcx_attach_attr *attr, bpf_prog *prog)
{
	bool tcx_release, ingress = true;
	bpf_mprog_entry *entry, *peer;
	int ret;

	rtnl_lock();
	entry = dev_tcx_entry_fetch(dev, ingress);
	if (!entry) {
		ret = -ENOENT;
		goto out;
	}
	ret = bpf_mprog_detach(entry, prog, nullptr, attr->attach_flags,
			       attr->relative_fd, attr->expected_revision);
	if (ret >= 0) {
		tcx_release = tcx_release_entry(entry, ret);
		peer = tcx_release ? nullptr : bpf_mprog_peer(entry);
		if (ret == BPF_MPROG_SWAP || ret == BPF_MPROG_FREE)
			tcx_entry_update(dev, peer, ingress);
		bpf_mprog_commit(entry);
		if (!mutant_active(Mutant::kDetachKeepsSkeys))	// mutant
			tcx_skeys_dec(dev, ingress);
		if (tcx_release)
			bpf_mprog_free(entry);
		ret = 0;
	}
out:
	rtnl_unlock();
	return ret;
}

int tcx_prog_query(net_device *dev, const bpf_mprog_query_attr *attr,
		   bpf_mprog_query_uattr *uattr)
{
	bool ingress = true;
	bpf_mprog_entry *entry;
	int ret;

	rtnl_lock();
	entry = dev_tcx_entry_fetch(dev, ingress);
	if (!entry) {
		ret = -ENOENT;
		goto out;
	}
	ret = bpf_mprog_query(attr, uattr, entry);
out:
	rtnl_unlock();
	return ret;
}

namespace {

int tcx_link_prog_attach(bpf_link *l, u32 flags, u32 object,
			 u32 expected_revision)
{
	tcx_link *link = tcx_link_of(l);
	bool created, ingress = true;
	net_device *dev = link->dev;
	bpf_mprog_entry *entry;
	int ret;

	entry = dev_tcx_entry_fetch_or_create(dev, ingress, &created);
	if (!entry)
		return -ENOMEM;
	if (mutant_active(Mutant::kPublishBeforeWritten))
		tcx_entry_update(dev, bpf_mprog_peer(entry), ingress);
	ret = bpf_mprog_attach(entry, l->prog, l, flags, object,
			       expected_revision);
	if (mutant_active(Mutant::kPublishBeforeWritten) && ret != BPF_MPROG_SWAP)
		tcx_entry_update(dev, created ? nullptr : entry, ingress);
	if (ret >= 0) {
		if (ret == BPF_MPROG_SWAP)
			tcx_entry_update(dev, bpf_mprog_peer(entry), ingress);
		bpf_mprog_commit(entry);
		tcx_skeys_inc(dev, ingress);
		ret = 0;
	} else if (created) {
		bpf_mprog_free(entry);
	}
	return ret;
}

void tcx_link_release(bpf_link *l)
{
	tcx_link *link = tcx_link_of(l);
	bool tcx_release, ingress = true;
	bpf_mprog_entry *entry, *peer;
	net_device *dev;
	int ret = 0;

	rtnl_lock();
	dev = link->dev;
	if (!dev)
		goto out;
	entry = dev_tcx_entry_fetch(dev, ingress);
	if (!entry) {
		ret = -ENOENT;
		goto out;
	}
	ret = bpf_mprog_detach(entry, l->prog, l, link->flags, 0, 0);
	if (ret >= 0) {
		tcx_release = tcx_release_entry(entry, ret);
		peer = tcx_release ? nullptr : bpf_mprog_peer(entry);
		if (ret == BPF_MPROG_SWAP || ret == BPF_MPROG_FREE)
			tcx_entry_update(dev, peer, ingress);
		bpf_mprog_commit(entry);
		tcx_skeys_dec(dev, ingress);
		if (tcx_release)
			bpf_mprog_free(entry);
		link->dev = nullptr;
		ret = 0;
	}
out:
	WARN_ON_ONCE(ret);
	rtnl_unlock();
}

int tcx_link_update(bpf_link *l, bpf_prog *nprog, bpf_prog *oprog)
{
	tcx_link *link = tcx_link_of(l);
	bool ingress = true;
	net_device *dev = link->dev;
	bpf_mprog_entry *entry;
	int ret = 0;

	rtnl_lock();
	if (!link->dev) {
		ret = -ENOLINK;
		goto out;
	}
	if (oprog && l->prog != oprog) {
		ret = -EPERM;
		goto out;
	}
	oprog = l->prog;
	if (oprog == nprog) {
		bpf_prog_put(nprog);
		goto out;
	}
	entry = dev_tcx_entry_fetch(dev, ingress);
	if (!entry) {
		ret = -ENOENT;
		goto out;
	}
	ret = bpf_mprog_attach(entry, nprog, l,
			       BPF_F_REPLACE | BPF_F_ID | link->flags,
			       l->prog->aux->id, 0);
	if (ret >= 0) {
		if (ret == BPF_MPROG_SWAP)
			tcx_entry_update(dev, bpf_mprog_peer(entry), ingress);
		bpf_mprog_commit(entry);
		tcx_skeys_inc(dev, ingress);
		oprog = l->prog;			// xchg(&l->prog, nprog)
		l->prog = nprog;
		bpf_prog_put(oprog);
		ret = 0;
	}
out:
	rtnl_unlock();
	return ret;
}

void tcx_link_dealloc(bpf_link *l)
{
	// model: kfree(tcx_link(l)); the memory belongs to BpfObjects, which marks
	// the link freed right after this returns.
	(void)l;
}

int tcx_link_detach(bpf_link *l)
{
	tcx_link_release(l);
	return 0;
}

void tcx_link_destroy(bpf_link *l)
{
	delete tcx_link_of(l);
}

}  // namespace

int tcx_link_attach(net_device *dev, const tcx_link_create_attr *attr, bpf_prog *prog)
{
	LinkPrimer link_primer;
	tcx_link *link;
	int fd = -1, err;

	link = new tcx_link{};
	current_objects()->link_adopt(&link->link, tcx_link_destroy);

	// bpf_link_init(&link->link, BPF_LINK_TYPE_TCX, &tcx_link_lops, prog);
	link->link.refcnt = 1;
	link->link.ops = &tcx_link_lops;
	link->link.prog = prog;
	link->location = 0;	// BPF_TCX_INGRESS
	link->flags = attr->flags & (BPF_F_FIRST | BPF_F_LAST);
	link->dev = dev;

	err = current_objects()->link_prime(&link->link, &link_primer);
	if (err)
		return err;
	rtnl_lock();
	err = tcx_link_prog_attach(&link->link, attr->flags,
				   attr->relative_fd,
				   attr->expected_revision);
	if (!err)
		fd = current_objects()->link_settle(&link_primer);
	rtnl_unlock();
	if (err) {
		link->dev = nullptr;
		current_objects()->link_cleanup(&link_primer);
		return err;
	}
	return fd;
}

int tcx_miniq_inc(net_device *dev)
{
	bpf_mprog_entry *entry;
	bool created;

	// ingress_init(): fetch or create, hold, publish a new entry as it is.
	entry = dev_tcx_entry_fetch_or_create(dev, true, &created);
	if (!entry)
		return -ENOMEM;
	tcx_entry_of(entry)->miniq++;	// model: mini_qdisc_pair_init(..., &miniq)
	if (created)
		tcx_entry_update(dev, entry, true);
	return 0;
}

void tcx_miniq_dec(net_device *dev)
{
	bpf_mprog_entry *entry = dev->tcx_ingress;	// rtnl_dereference

	// ingress_destroy(): drop the hold; free the entry if nothing else uses it.
	if (entry) {
		tcx_entry_of(entry)->miniq--;
		if (!tcx_entry_of(entry)->miniq && !bpf_mprog_total(entry)) {
			tcx_entry_update(dev, nullptr, true);
			bpf_mprog_free(entry);
		}
	}
}

void tcx_run(net_device *dev, std::vector<u32> *ran)
{
	const bpf_mprog_fp *fp;
	bpf_prog *prog;
	bpf_mprog_entry *entry;

	rcu_read_lock();
	entry = rcu_dereference(dev->tcx_ingress);	// rcu_dereference_bh
	if (mutant_active(Mutant::kReaderUnlocksEarly))
		rcu_read_unlock();
	if (entry) {
		bpf_mprog_foreach_prog(entry, fp, prog) {
			// bpf_prog_run(prog, skb): the program object is touched.
			kernel_hooks()->access(MemAccess::kProgRun, prog);
			ran->push_back(prog->model_id);
			if (mutant_active(Mutant::kReaderReloadsEntry)) {
				bpf_mprog_entry *again = rcu_dereference(dev->tcx_ingress);
				if (!again)
					break;
				fp = &again->fp_items[fp - entry->fp_items];
				entry = again;
			}
		}
	}
	if (!mutant_active(Mutant::kReaderUnlocksEarly))
		rcu_read_unlock();
}
// clang-format on

}  // namespace mprogsim::v2

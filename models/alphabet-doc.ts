/**
 * The alphabet documented: what each event means and what it carries. Typed by the alphabet
 * itself, so an event cannot be added without its description.
 */
import type { SpecEventType } from './alphabet.js';

export interface EventDoc {
  readonly fields: string;
  readonly doc: string;
}

export const EVENT_DOCS: Readonly<Record<SpecEventType, EventDoc>> = {
  'proc.fork': {
    fields: 'process, child',
    doc: 'fork started: the child address space exists but does not run yet.',
  },
  'proc.forked': { fields: 'process, child', doc: 'fork returned: the child runs.' },
  'proc.fork_failed': {
    fields: 'process, child',
    doc: 'fork failed (ENOMEM): the half-built child was torn down.',
  },
  'obj.create': {
    fields: 'obj, kind, pages, placement?, device?',
    doc: 'An object was created (a bo in its placement, on its device).',
  },
  'obj.destroy': {
    fields: 'obj',
    doc: 'The name and the CPU mappings went; pins, attachments, subscriptions and jobs keep the object alive.',
  },
  'obj.release': {
    fields: 'obj',
    doc: 'The last user went away: the object and its frames are gone.',
  },
  'page.populate': {
    fields: 'obj, page, shmem?',
    doc: "First touch: a zero-filled system page was mapped; with `shmem`, the page of a shared mapping's page cache.",
  },
  'page.swap_out': {
    fields: 'obj, page',
    doc: 'Reclaim replaced the PTE by a swap entry and freed the frame.',
  },
  'page.swap_in': { fields: 'obj, page', doc: 'A swapped page was read back into a fresh frame.' },
  'page.migrate_collect': {
    fields: 'obj, page',
    doc: 'A migration entry replaced the PTE (under the PTL).',
  },
  'page.migrate_commit': {
    fields: 'obj, page, to, device',
    doc: 'The migration entry was replaced by the new frame (system, private or coherent).',
  },
  'page.migrate_restore': { fields: 'obj, page', doc: 'The copy failed: the old frame is back.' },
  'page.unmap': {
    fields: 'obj, page',
    doc: 'munmap (obj.destroy, vma.unmap) tore the CPU mapping down; the range is gone.',
  },
  'page.zap': {
    fields: 'obj, page, cached?',
    doc: 'MADV_DONTNEED zapped the mapping; the next touch gets a zero page (with `cached`, the shmem page the page cache kept).',
  },
  'page.pin': {
    fields: 'importer, obj, page, longterm, write',
    doc: 'pin_user_pages took a pin (FOLL_LONGTERM for gup; FOLL_WRITE unless a read-only pin).',
  },
  'page.unpin': {
    fields: 'importer, obj, page, stale',
    doc: 'unpin_user_pages dropped it; stale: the process dropped or copied the page after it was pinned.',
  },
  'page.share': {
    fields: 'obj, page',
    doc: "fork write-protected the parent's page: shared copy-on-write with the child.",
  },
  'page.inherit': {
    fields: 'obj, page, where, device, shared',
    doc: "fork gave the child's page its mapping: the parent's frame copy-on-write (shared) or its own copy of a maybe-pinned page; where it lives.",
  },
  'page.cow': {
    fields: 'obj, page',
    doc: 'A write fault (wp_page_copy) or a read-only pin that must unshare gave the process its own copy.',
  },
  'page.reuse': {
    fields: 'obj, page',
    doc: 'A write fault on a write-protected page nobody else holds made it writable in place.',
  },
  'page.protect': { fields: 'obj, page, prot', doc: "mprotect changed the page's protection." },
  'page.exclusive': {
    fields: 'obj, page, importer',
    doc: "make_device_exclusive: the CPU PTE is a device-exclusive entry; the importer's device has the page alone.",
  },
  'page.restore': {
    fields: 'obj, page',
    doc: 'A CPU access took the page back from device-exclusive access and restored the PTE.',
  },
  'page.lost': {
    fields: 'obj, page, byReset',
    doc: "The page's data was lost with VRAM and the loss reported.",
  },
  'page.poison': {
    fields: 'obj, page, device',
    doc: "Its device's memory went away (surprise removal): the PTE is a hwpoison entry; any access faults (SIGBUS, EFAULT) until munmap.",
  },
  'mmu.invalidate_start': {
    fields: 'obj, blockable, event, owner',
    doc: 'mmu_notifier_invalidate_range_start; event is the enum mmu_notifier_event (migrate, clear, unmap, release, protection_page, protection_vma, exclusive), owner the pgmap owner a migration passes (mmu_notifier_range_init_owner).',
  },
  'mmu.invalidate_end': { fields: 'obj', doc: 'mmu_notifier_invalidate_range_end.' },
  'mmu.invalidate_refused': {
    fields: 'obj',
    doc: 'A non-blockable invalidation was refused; the core ended it (EAGAIN).',
  },
  'sub.insert': {
    fields: 'importer, obj, deferred',
    doc: 'mmu_interval_notifier_insert (deferred during an invalidation).',
  },
  'sub.remove': { fields: 'importer, obj', doc: 'mmu_interval_notifier_remove.' },
  'sub.invalidate': {
    fields: 'importer, obj',
    doc: "The subscriber's invalidate() ran: set_seq, zap, DMA drained.",
  },
  'sub.read_begin': { fields: 'importer, obj', doc: 'mmu_interval_read_begin returned.' },
  'sub.read_retry': {
    fields: 'importer, obj, changed',
    doc: 'mmu_interval_read_retry under the driver lock.',
  },
  'devpt.view': {
    fields: 'importer, obj, page',
    doc: 'The importer learned where the page lives (hmm_range_fault, an sg table).',
  },
  'devpt.set': {
    fields: 'importer, obj, page, device, write',
    doc: 'It wrote that into its device page table (write: the device may write through it).',
  },
  'devpt.zap': { fields: 'importer, obj, page', doc: 'It zapped the entry.' },
  'bo.share': { fields: 'obj', doc: 'Userspace allowed peer-to-peer for the bo.' },
  'bo.unshare': { fields: 'obj', doc: 'Userspace took that back.' },
  'bo.move_notify': {
    fields: 'obj',
    doc: 'The exporter is about to move the bo (reserved; the move emits att.invalidate per attachment).',
  },
  'bo.move': {
    fields: 'obj, to',
    doc: 'The placement switched; the move fence is not yet signalled (TTM pipelining).',
  },
  'bo.move_fence': {
    fields: 'obj, ok',
    doc: 'The move fence signalled (ok: false when a reset failed the copy).',
  },
  'bo.pin': {
    fields: 'importer, obj, vram',
    doc: 'dma_buf_pin (or a static importer pinning on map).',
  },
  'bo.unpin': { fields: 'importer, obj', doc: 'dma_buf_unpin.' },
  'bo.lost': {
    fields: 'obj, byReset',
    doc: "The bo's data (some pages) was lost with VRAM and the loss reported.",
  },
  'bo.dummy': {
    fields: 'obj',
    doc: 'Unplug: the CPU mappings of the bo now point at the dummy page.',
  },
  'att.attach': {
    fields: 'importer, obj, p2p, dynamic',
    doc: 'dma_buf_dynamic_attach; peer2peer fixed for the attachment.',
  },
  'att.map': {
    fields: 'importer, obj, vram',
    doc: 'dma_buf_map_attachment returned an sg table (in VRAM or system).',
  },
  'att.unmap': { fields: 'importer, obj', doc: 'dma_buf_unmap_attachment.' },
  'att.invalidate': {
    fields: 'importer, obj',
    doc: 'move_notify / invalidate_mappings reached the attachment.',
  },
  'att.detach': {
    fields: 'importer, obj',
    doc: 'dma_buf_detach: revoked under the reservation lock.',
  },
  'att.free': { fields: 'importer, obj', doc: "The attachment's memory was freed." },
  'att.touch': { fields: 'importer, obj', doc: 'A callback touched the attachment (reserved).' },
  'dev.hang': { fields: 'device', doc: 'The GPU stopped completing work.' },
  'dev.reset_stop': { fields: 'device', doc: 'dev.reset stop: the device takes no more work.' },
  'dev.reset': {
    fields: 'device, vramLost',
    doc: 'dev.reset reset: fences force-completed, VRAM content destroyed if vramLost.',
  },
  'dev.recover': {
    fields: 'device',
    doc: 'dev.reset recover: losses reported, mappings invalidated, device active.',
  },
  'dev.freeze': { fields: 'device', doc: 'dev.suspend freeze: new data into VRAM refused.' },
  'dev.poweroff': { fields: 'device', doc: 'dev.suspend poweroff: VRAM off.' },
  'dev.suspend_failed': { fields: 'device', doc: 'dev.suspend gave up (a pin held VRAM): thawed.' },
  'dev.resume': { fields: 'device', doc: 'dev.resume.' },
  'dev.gone': { fields: 'device', doc: 'dev.unplug gone: ENODEV for new users.' },
  'dev.revoke': {
    fields: 'device',
    doc: 'dev.unplug revoke done: attachments revoked, CPU mappings on the dummy page, anon pages back in RAM.',
  },
  'dev.release': { fields: 'device', doc: "dev.unplug release: the device's memory is freed." },
  'job.submit': { fields: 'importer, obj', doc: 'imp.submit: a userptr job takes its place.' },
  'job.run': { fields: 'importer, obj', doc: 'Validated: the job runs on its GPU page table.' },
  'job.preempt': {
    fields: 'importer, obj',
    doc: "An invalidation preempted a compute job's queues.",
  },
  'job.resume': {
    fields: 'importer, obj',
    doc: 'The preempted job resumed (after re-validating).',
  },
  'job.complete': { fields: 'importer, obj', doc: 'imp.complete: the user ended a compute job.' },
  'job.done': { fields: 'importer, obj', doc: 'The job left (its fence signalled).' },
  'dma.issue': {
    fields: 'importer, obj, page, write',
    doc: 'An importer issued DMA (reserved: observers see it, no machine constrains it).',
  },
  'dma.complete': { fields: 'importer, obj, page', doc: 'The DMA completed.' },
  'vma.mmap': {
    fields: 'obj, offset, pages',
    doc: 'obj.mmap: a VMA of the device file now maps the bo from page offset on (nothing populated yet).',
  },
  'vma.munmap': { fields: 'obj', doc: 'The VMA went (obj.munmap, obj.destroy), after its zap.' },
  'vma.fault': {
    fields: 'obj',
    doc: "A CPU fault populated a PTE of the VMA with the bo's current frame (ttm_bo_vm_fault).",
  },
  'vma.zap': {
    fields: 'obj',
    doc: "zap_vma_ptes done: its CPU PTEs cleared and, through the mmu notifiers, every mirror's p2p map released.",
  },
  'p2p.map': {
    fields: 'importer, obj, vram',
    doc: 'p2p_map: the exporter chose the placement for this importer, VRAM through a BAR window or RAM.',
  },
  'p2p.unmap': { fields: 'importer, obj', doc: 'p2p_unmap: the importer gave its map back.' },
  'p2p.pin': {
    fields: 'importer, obj, vram',
    doc: 'p2p_map with the pin flag: the bo is pinned for an importer that answers no notifier.',
  },
  'p2p.unpin': {
    fields: 'importer, obj',
    doc: 'That pin was dropped (imp.unpin, imp.unmap, or the exporter revoking it at unplug).',
  },
  'bar.alloc': {
    fields: 'device, slot, importer, obj',
    doc: 'A page of BAR window was handed to a p2p map.',
  },
  'bar.free': {
    fields: 'device, slot, importer, obj',
    doc: 'The BAR window page came back to the driver.',
  },
};

/**
 * The fault catalogue: real bug classes, one named switch each, off by default (like P's
 * FailureInjector or FoundationDB's BUGGIFY). With a fault on, `check` must report the invariant
 * named here among those violated at the first failing step.
 */

export interface FaultInfo {
  readonly name: string;
  readonly trips: string;
  readonly what: string;
  readonly history: string;
  /** The mechanism it belongs to (docs group faults by it). */
  readonly area:
    | 'notifier'
    | 'migration'
    | 'pinning'
    | 'frames'
    | 'dma-buf'
    | 'reset'
    | 'suspend'
    | 'unplug'
    | 'userptr'
    | 'hmm'
    | 'p2p'
    | 'vm';
  /** The generator's operation families that can reach the bug (the directed swarm uses them). */
  readonly families: readonly string[];
}

export const FAULTS = [
  {
    name: 'skip-read-retry',
    trips: 'Map.NoStalePfn',
    what: 'mirror programs device PTEs without read_retry',
    history: 'hmm.rst pattern; early amdgpu userptr races',
    area: 'notifier',
    families: ['mirror', 'migrate', 'reclaim'],
  },
  {
    name: 'retry-outside-lock',
    trips: 'Map.NoStalePfn',
    what: 'read_retry checked before taking the driver lock',
    history: 'hmm.rst lock rule',
    area: 'notifier',
    families: ['mirror', 'migrate', 'reclaim'],
  },
  {
    name: 'eagain-keeps-lock',
    trips: 'Kernel.NoLockOnReturn',
    what: 'non-blockable invalidate refuses on the inner trylock but keeps the notifier lock it took first',
    history: '7608bf40cf24 RDMA/odp',
    area: 'notifier',
    families: ['mirror', 'reclaim', 'migrate'],
  },
  {
    name: 'mirror-lock-inversion',
    trips: 'Progress.NoDeadlock',
    what: "the mirror's map takes its notifier lock inside its driver lock, the reverse of invalidate()'s order: ABBA with an invalidation",
    history:
      'circular locking dependency; the order lockdep learns from __mmu_notifier_invalidate_range_start_map',
    area: 'notifier',
    families: ['mirror', 'migrate', 'reclaim'],
  },
  {
    name: 'eagain-calls-end',
    trips: 'Notifier.SeqProtocol',
    what: 'caller calls invalidate end after EAGAIN',
    history: 'c2655835fd8c mmu_notifiers',
    area: 'notifier',
    families: ['mirror', 'reclaim'],
  },
  {
    name: 'new-subscription-valid',
    trips: 'Map.NoStalePfn',
    what: 'a subscription inserted during an invalidation gets seq - 1 instead of the current odd seq',
    history: 'mmu_interval_notifier_insert',
    area: 'notifier',
    families: ['mirror', 'reclaim', 'migrate'],
  },
  {
    name: 'migrate-ignores-pin',
    trips: 'Pin.NeverMoves',
    what: 'migration does not skip pinned pages',
    history: 'migrate_vma_check_page',
    area: 'migration',
    families: ['pin', 'migrate'],
  },
  {
    name: 'longterm-pin-in-device-memory',
    trips: 'Pin.LongtermNotInDeviceMemory',
    what: 'FOLL_LONGTERM pins coherent pages in place',
    history: '2022 "mm/gup: migrate device coherent pages when pinning"',
    area: 'pinning',
    families: ['pin', 'migrate'],
  },
  {
    name: 'migrate-restore-leaks-ref',
    trips: 'Frame.NoRefLeak',
    what: 'a migration that fails puts each page back but keeps the reference it took when it collected the page',
    history: '"mm/migrate_device: fix folio refcount leak on folio_split_unmapped failure" (2026)',
    area: 'migration',
    families: ['migrate', 'device'],
  },
  {
    name: 'fault-without-page-ref',
    trips: 'Frame.NoUseAfterFree',
    what: 'CPU fault on a device-private page races eviction without a reference',
    history: '16ce101db85d, CVE-2022-3523',
    area: 'migration',
    families: ['cpu', 'migrate'],
  },
  {
    name: 'flush-after-unlock',
    trips: 'Map.ObservesCurrentData',
    what: 'TLB flushed after the page-table lock is dropped: a CPU write lands in the old frame',
    history: '"mm/migrate_device.c: flush TLB while holding PTL"',
    area: 'migration',
    families: ['cpu', 'migrate'],
  },
  {
    name: 'drop-dirty-on-migrate',
    trips: 'Map.ObservesCurrentData',
    what: 'the PTE dirty bit is lost on migration; reclaim drops the newer data',
    history: '"mm/migrate_device.c: copy pte dirty bit to page"',
    area: 'migration',
    families: ['cpu', 'migrate', 'reclaim'],
  },
  {
    name: 'no-move-notify-on-evict',
    trips: 'Map.NoStalePfn',
    what: 'a bo move (either direction) skips move_notify',
    history: 'dma-buf move_notify contract',
    area: 'dma-buf',
    families: ['dmabuf', 'migrate', 'share'],
  },
  {
    name: 'no-fence-wait-on-move',
    trips: 'Frame.NoUseAfterFree',
    what: 'old frames are freed before in-flight DMA on them completes',
    history: 'dma_resv fences before free',
    area: 'dma-buf',
    families: ['dmabuf', 'migrate', 'share'],
  },
  {
    name: 'map-without-kernel-fence',
    trips: 'Map.ObservesCurrentData',
    what: 'importer uses a new mapping before the move fence signals',
    history: 'umem_dmabuf "wait for the exporter to finish the migration"',
    area: 'dma-buf',
    families: ['dmabuf', 'migrate', 'share', 'cpu'],
  },
  {
    name: 'dirty-frame-reuse',
    trips: 'Frame.NoLeak',
    what: 'a freed frame is handed out without clearing',
    history: '7ab0ad0e74f8 class',
    area: 'frames',
    families: ['cpu'],
  },
  {
    name: 'invalidate-unmapped-crash',
    trips: 'Kernel.NoOops',
    what: "importer's invalidate assumes a mapping exists",
    history: 'mlx5 `!sgt` guard',
    area: 'dma-buf',
    families: ['dmabuf', 'migrate', 'share'],
  },
  {
    name: 'invalidate-vs-detach',
    trips: 'Attach.NoUseAfterDetach',
    what: 'invalidate callback races detach and touches a freed attachment',
    history: 'cc668a11e6ac RDMA/mlx5',
    area: 'dma-buf',
    families: ['dmabuf', 'migrate', 'share'],
  },
  {
    name: 'p2p-ignores-unshare',
    trips: 'Policy.P2pOnlyWhenAllowed',
    what: 'exporter keeps peer mappings after userspace unshares',
    history:
      '"[RFC PATCH 3/5] mm/vma: add support for peer to peer to device vma" (LKML, Jan 2019) policy',
    area: 'dma-buf',
    families: ['dmabuf', 'share'],
  },
  {
    name: 'pin-vram-for-non-p2p',
    trips: 'Policy.PinnedNonP2pInSystem',
    what: 'a pin for an attachment that may not use VRAM leaves the bo in VRAM',
    history: 'xe/amdgpu dma_buf_pin',
    area: 'dma-buf',
    families: ['dmabuf', 'share'],
  },
  {
    name: 'reset-no-invalidate',
    trips: 'Hang.LossIsReported',
    what: 'the vramLost counter is bumped but importer mappings are kept',
    history:
      '"[RFC PATCH 3/5] mm/vma: add support for peer to peer to device vma" (LKML, Jan 2019), amdgpu vram_lost',
    area: 'reset',
    families: ['dmabuf', 'share', 'mirror', 'device', 'cpu'],
  },
  {
    name: 'suspend-before-freeze',
    trips: 'Suspend.NoDataInPoweredOffVram',
    what: 'freezing happens only at the start of poweroff',
    history: 'amdgpu PM notifier 2025',
    area: 'suspend',
    families: ['migrate', 'dmabuf', 'device'],
  },
  {
    name: 'unplug-no-dummy',
    trips: 'Unplug.Revoked',
    what: 'CPU mappings of an unplugged bo still point at its VRAM',
    history: 'ttm_bo_vm_dummy_page series',
    area: 'unplug',
    families: ['cpu', 'device'],
  },
  {
    name: 'revocable-pinned',
    trips: 'Unplug.Revoked',
    what: 'unplug treats pinned attachments as revocable and frees frames a pin still points at',
    history: '2026 dma-buf revoke review',
    area: 'unplug',
    families: ['dmabuf', 'share', 'pin', 'migrate', 'device'],
  },
  {
    name: 'notifier-waits-for-compute-job',
    trips: 'Progress.InvalidationNeverWaitsOnUserJob',
    what: "a compute job's invalidation waits for its fence instead of preempting",
    history:
      '"Enabling peer to peer device transactions for PCIe devices" (LKML, Nov 2016); KFD evict/restore queues',
    area: 'userptr',
    families: ['userptr', 'migrate', 'reclaim'],
  },
  {
    name: 'resume-without-revalidate',
    trips: 'Map.NoStalePfn',
    what: 'a preempted job resumes on its old GPU page table without read_begin/read_retry',
    history: 'hmm.rst pattern',
    area: 'userptr',
    families: ['userptr', 'migrate', 'reclaim'],
  },
  {
    name: 'owner-filter-skips-foreign',
    trips: 'Map.NoStalePfn',
    what: "a mirror skips every MMU_NOTIFY_MIGRATE invalidation, not only its own device's (the owner test is missing), so another device's migration leaves its PTEs on the old frames",
    history:
      'mmu_notifier_range_init_owner / range->owner: drivers skip only their own migrations (test_hmm dmirror_interval_invalidate, nouveau, amdgpu SVM)',
    area: 'notifier',
    families: ['mirror', 'migrate'],
  },
  {
    name: 'reclaim-ignores-pin',
    trips: 'Pin.NeverMoves',
    what: 'reclaim unmaps and swaps out a pinned anon page: the pin keeps the old frame while the process faults in a new one',
    history:
      'try_to_unmap of maybe-pinned anon pages: 6c287605fd56 (PG_anon_exclusive), folio_try_share_anon_rmap_pte refuses pinned pages',
    area: 'pinning',
    families: ['pin', 'reclaim'],
  },
  {
    name: 'unplug-ignores-copy-failure',
    trips: 'Hang.LossIsReported',
    what: "surprise removal is handled as an orderly unbind: device memory is copied back to RAM and the failed copies are not looked at, so garbage becomes the pages' data with no loss reported",
    history:
      'nouveau_dmem_evict_chunk: "there is nothing sensible we can do if we can\'t copy the data back" (copy errors ignored, __GFP_NOFAIL)',
    area: 'unplug',
    families: ['cpu', 'migrate', 'device'],
  },
  {
    name: 'invalidate-restarts-on-busy',
    trips: 'Progress.InvalidationCompletes',
    what: 'a blockable invalidate() that finds its driver lock busy drops the notifier lock and restarts the walk instead of sleeping: it spins for as long as the holder does not run',
    history:
      'blockable callbacks must sleep on their locks (mmu_notifier_range_blockable, mutex_lock vs trylock); spinning there is a soft lockup',
    area: 'notifier',
    families: ['mirror', 'migrate', 'reclaim'],
  },
  {
    name: 'p2p-window-reused-before-unmap',
    trips: 'P2p.WindowNotReusedWhileMapped',
    what: "the exporter takes a map's BAR window pages back when it starts zapping the device VMA, before the importer's p2p_unmap, so the next p2p_map can hand them to another peer while the first still uses them",
    history:
      '"[RFC PATCH 3/5] mm/vma: add support for peer to peer to device vma" (LKML, Jan 2019): BAR address space is a GPU driver resource, allocated at p2p_map and released at p2p_unmap',
    area: 'p2p',
    families: ['vma', 'migrate', 'share', 'device'],
  },
  {
    name: 'p2p-map-ignores-policy',
    trips: 'Policy.P2pOnlyWhenAllowed',
    what: "p2p_map hands a peer VRAM through the BAR without looking at userspace's share flag or the driver's own policy",
    history:
      '"[RFC PATCH 3/5] mm/vma: add support for peer to peer to device vma" (LKML, Jan 2019): policy is applied at map time, not at VMA creation, and is mutable',
    area: 'p2p',
    families: ['vma', 'share'],
  },
  {
    name: 'move-without-zap',
    trips: 'Map.NoStalePfn',
    what: "the exporter moves a mmapped bo without zap_vma_ptes: no mmu notifier reaches the VMA's mirrors, whose device PTEs keep the old frames",
    history:
      '"[RFC PATCH 3/5] mm/vma: add support for peer to peer to device vma" (LKML, Jan 2019): "does calling zap_vma_ptes() invoke enough notifiers …?" — "Yes it does."',
    area: 'p2p',
    families: ['vma', 'migrate'],
  },
  {
    name: 'pin-flag-pins-vram',
    trips: 'Pin.LongtermNotInDeviceMemory',
    what: 'p2p_map with the pin flag pins the bo where it is, VRAM included, for an importer that answers no notifier',
    history:
      '"[RFC PATCH 3/5] mm/vma: add support for peer to peer to device vma" (LKML, Jan 2019): "GPU could allow pin but they would most likely use main memory"',
    area: 'p2p',
    families: ['vma'],
  },
  // Added by this project so that invariants the catalogue leaves uncovered can be shown to fail.
  {
    name: 'mirror-ignores-fork-protection',
    trips: 'Map.NoStalePfn',
    what: "a mirror treats MMU_NOTIFY_PROTECTION_PAGE (fork write-protecting the parent's private pages for copy-on-write) as nothing to do and keeps its writable entries: the device goes on writing a page the child now shares",
    history:
      'copy_page_range sends MMU_NOTIFY_PROTECTION_PAGE before write-protecting a COW mapping; a driver that skips it as harmless (the event argument, 5.2) leaves the device writing the shared page; found by a mutant of Map.NoStalePfn that switched its write clause off (docs/mutation.md)',
    area: 'vm',
    families: ['vm', 'mirror'],
  },
  {
    name: 'insert-seq-backwards',
    trips: 'Notifier.SeqMovesForward',
    what: 'a subscription inserted while only ranges that overlap nobody are active makes the even sequence odd by stepping it back (seq - 1) instead of forward (seq | 1), so a later invalidation can hand a subscription the seq an earlier read_begin saw',
    history:
      'mmu_interval_notifier_insert sets `subscriptions->invalidate_seq |= 1` (99cb252f5e68, "mm/mmu_notifier: add an interval tree notifier", 5.5); found as a surviving mutant (docs/mutation.md)',
    area: 'notifier',
    families: ['mirror', 'reclaim', 'migrate'],
  },
  {
    name: 'hmm-maps-foreign-private',
    trips: 'Policy.P2pOnlyWhenAllowed',
    what: "hmm_range_fault returns another device's private page as is instead of faulting it to RAM",
    history:
      'range->dev_private_owner came with 08ddddda667b ("mm/hmm: check the device private page owner in hmm_range_fault()", 2020), which returned -EFAULT for another owner\'s page; 8a295dbbaf72 ("mm/hmm: fault non-owner device private entries", 2022) faults it back to RAM instead',
    area: 'hmm',
    families: ['mirror', 'migrate'],
  },
  {
    name: 'unpin-keeps-count',
    trips: 'Pin.Balanced',
    what: 'unpin forgets the pin count of the frames (unpin_user_pages on the wrong list)',
    history: 'FOLL_PIN accounting (gup_pin_counting)',
    area: 'pinning',
    families: ['pin'],
  },
  {
    name: 'orphan-never-freed',
    trips: 'Lifecycle.NoLeaks',
    what: 'the last unpin of a frame whose object is gone does not free it',
    history: 'put_page on the final reference of an unmapped page',
    area: 'frames',
    families: ['pin'],
  },
  {
    name: 'vram-overcommit',
    trips: 'Device.CapacityRespected',
    what: "the VRAM allocator hands out frames past the device's managed size",
    history: 'ttm_resource_manager usage accounting',
    area: 'frames',
    families: ['migrate', 'dmabuf'],
  },
  {
    name: 'fork-shares-pinned-page',
    trips: 'Pin.CoherentWithOwner',
    what: "fork shares a maybe-pinned page copy-on-write instead of copying it for the child, so the parent's next write moves the parent off the page its device has pinned",
    history:
      '70e806e4e645 ("mm: Do early cow for pinned pages during fork() for ptes", 2020); before it, a pinned page could COW away from the pinning process',
    area: 'vm',
    families: ['vm', 'pin', 'cpu'],
  },
  {
    name: 'gup-cow-wrong-direction',
    trips: 'Frame.NoLeak',
    what: "a short-term read-only pin (O_DIRECT, vmsplice) of a page shared after fork does not unshare it, and a write fault reuses a page by its mapcount alone: the child's pin keeps the page the parent then writes in place",
    history:
      'CVE-2020-29374 (vmsplice, Jann Horn); 17839856fd58 ("gup: document and work around \'COW can break either way\' issue", 5.8), 09854ba94c6a (refcount-based reuse, 5.9), gup_must_unshare (5.19)',
    area: 'vm',
    families: ['vm', 'pin', 'cpu'],
  },
  {
    name: 'mirror-ignores-protection',
    trips: 'Map.RespectsProtection',
    what: 'a mirror treats MMU_NOTIFY_PROTECTION_VMA as nothing to do and keeps its writable entries after mprotect(PROT_READ)',
    history:
      'the mmu_notifier_event argument (5.2) lets a driver skip invalidations it thinks harmless; a protection change is not one',
    area: 'vm',
    families: ['vm', 'mirror'],
  },
  {
    name: 'unmap-frees-pinned-frame',
    trips: 'Frame.NoUseAfterFree',
    what: 'munmap frees the frames it unmaps although a pin still holds them',
    history:
      'zap_pte_range drops only the mapping reference; the pin reference keeps the page (FOLL_PIN bias, fc1d8e7cca2d)',
    area: 'vm',
    families: ['vm', 'pin', 'lifecycle'],
  },
  {
    name: 'exclusive-not-restored',
    trips: 'Map.ObservesCurrentData',
    what: 'a CPU access to a device-exclusive page restores the CPU mapping without invalidating it for the device, which keeps its atomic entry and the writes it holds',
    history:
      'b756a3b5e7ea ("mm: device exclusive memory access", 5.14): remove_device_exclusive_entry sends the notifier before restoring the PTE',
    area: 'vm',
    families: ['vm', 'mirror', 'cpu'],
  },
  {
    name: 'migrate-shmem-page',
    trips: 'Spec.Conforms',
    what: 'migrate_vma moves a page of a shared anonymous mapping (shmem) to device memory: the migrating process maps the device copy while the page cache, and every other mapping of the file, keeps the old page',
    history:
      'migrate_vma_pages has refused a page with a mapping ("For now only support private anonymous when migrating to un-addressable device memory") since device memory migration came (4.14); hmm-tests migrate_shared checks it',
    area: 'vm',
    families: ['vm', 'migrate', 'cpu'],
  },
] as const satisfies readonly FaultInfo[];

export type FaultName = (typeof FAULTS)[number]['name'];

export const FAULT_NAMES: readonly string[] = FAULTS.map((f) => f.name);

export function isFaultName(s: string): s is FaultName {
  return FAULT_NAMES.includes(s);
}

export function faultInfo(name: string): FaultInfo | undefined {
  return FAULTS.find((f) => f.name === name);
}

/**
 * A bo's device VMA (mmap of the device file), one instance per bo (`obj`).
 *
 * Modelled: mmap and munmap; the VMA is populated by CPU faults and by p2p maps; zap_vma_ptes
 * clears it. The rule of the LKML thread "[RFC PATCH 3/5] mm/vma: add support for peer to peer
 * to device vma" (2019): a bo moves under its VMA only after the exporter zapped it, and the zap
 * reaches the mirrors through the mmu notifiers; munmap zaps first.
 * Left out: which pages are populated (the implementation's), the importers (the window and
 * devpt machines').
 */
import { setup } from 'xstate';
import type { SpecEvent } from '../alphabet.js';

export const vmaAlphabet = [
  'vma.mmap',
  'vma.munmap',
  'vma.fault',
  'vma.zap',
  'p2p.map',
  'bo.move',
] as const;

type Ev = Extract<SpecEvent, { type: (typeof vmaAlphabet)[number] }>;

export const vmaMachine = setup({
  types: { events: {} as Ev },
  actions: { note: () => {} },
}).createMachine({
  id: 'vma',
  initial: 'none',
  states: {
    /** Not mmapped: the bo moves as it likes. */
    none: {
      on: {
        'vma.mmap': { target: 'zapped' },
        'bo.move': { actions: 'note' },
      },
    },
    /** Mmapped, nothing populated (just mapped, or zapped): the bo may move. */
    zapped: {
      on: {
        'vma.fault': { target: 'populated' },
        'p2p.map': { target: 'populated' },
        'vma.zap': { actions: 'note' },
        'bo.move': { actions: 'note' },
        'vma.munmap': { target: 'none' },
      },
    },
    /** A CPU PTE or an importer's p2p map reaches the bo's frames: it must not move. */
    populated: {
      on: {
        'vma.fault': { actions: 'note' },
        'p2p.map': { actions: 'note' },
        'vma.zap': { target: 'zapped' },
      },
    },
  },
});

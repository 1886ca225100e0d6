/**
 * One importer's device page-table entry for one page, one instance per (`importer`, `obj`,
 * `page`): the abstract content of the read_begin / read_retry protocol.
 *
 * Modelled: the importer learns where a page lives (a view: hmm_range_fault's PFN, an sg table),
 * programs its page table from the view, and zaps it. The rules: while the entry is programmed
 * the page may not move or go away — migrate, swap, munmap, MADV_DONTNEED, copy-on-write —
 * (invalidate() or move_notify must zap it first); a view taken
 * before the page moved is stale and may not be programmed (read_retry's job); a loss of the
 * page's data may be reported only once no entry maps it (reset invalidates first).
 * Left out: sequence numbers and locks (how an importer knows its view is stale), frames.
 */
import { setup } from 'xstate';
import type { SpecEvent } from '../alphabet.js';

export const devptAlphabet = [
  'devpt.view',
  'devpt.set',
  'devpt.zap',
  'page.migrate_collect',
  'page.migrate_commit',
  'page.swap_out',
  'page.swap_in',
  'page.unmap',
  'page.zap',
  'page.cow',
  'page.poison',
  'bo.move',
  'page.lost',
  'bo.lost',
] as const;

type Ev = Extract<SpecEvent, { type: (typeof devptAlphabet)[number] }>;

export const devptMachine = setup({
  types: { events: {} as Ev },
  actions: {
    noteView: () => {},
    noteZap: () => {},
    noteMove: () => {},
  },
}).createMachine({
  id: 'devpt',
  initial: 'none',
  states: {
    /** Nothing known, nothing mapped. */
    none: {
      on: {
        'page.lost': { actions: 'noteMove' },
        'bo.lost': { actions: 'noteMove' },
        'devpt.view': { target: 'viewed' },
        'page.migrate_collect': { actions: 'noteMove' },
        'page.migrate_commit': { actions: 'noteMove' },
        'page.swap_out': { actions: 'noteMove' },
        'page.swap_in': { actions: 'noteMove' },
        'page.unmap': { actions: 'noteMove' },
        'page.zap': { actions: 'noteMove' },
        'page.cow': { actions: 'noteMove' },
        'page.poison': { actions: 'noteMove' },
        'bo.move': { actions: 'noteMove' },
      },
    },
    /** A view of the page's current location, not (or no longer) programmed. */
    viewed: {
      on: {
        'page.lost': { actions: 'noteMove' },
        'bo.lost': { actions: 'noteMove' },
        'devpt.view': { actions: 'noteView' },
        'devpt.set': { target: 'mapped' },
        'page.migrate_collect': { actions: 'noteMove' },
        'page.migrate_commit': { target: 'stale' },
        'page.swap_out': { actions: 'noteMove' },
        'page.swap_in': { target: 'stale' },
        'page.unmap': { target: 'stale' },
        'page.zap': { target: 'stale' },
        'page.cow': { target: 'stale' },
        'page.poison': { target: 'stale' },
        'bo.move': { target: 'stale' },
      },
    },
    /** Programmed: the page must stay where it is until the entry is zapped. */
    mapped: {
      on: {
        'devpt.view': { actions: 'noteView' },
        'devpt.set': { actions: 'noteView' },
        'devpt.zap': { target: 'viewed' },
      },
    },
    /** The page moved since the view: programming it would point at the wrong frame. */
    stale: {
      on: {
        'page.lost': { actions: 'noteMove' },
        'bo.lost': { actions: 'noteMove' },
        'devpt.view': { target: 'viewed' },
        'page.migrate_collect': { actions: 'noteMove' },
        'page.migrate_commit': { actions: 'noteMove' },
        'page.swap_out': { actions: 'noteMove' },
        'page.swap_in': { actions: 'noteMove' },
        'page.unmap': { actions: 'noteMove' },
        'page.zap': { actions: 'noteMove' },
        'page.cow': { actions: 'noteMove' },
        'page.poison': { actions: 'noteMove' },
        'bo.move': { actions: 'noteMove' },
      },
    },
  },
});

/**
 * A page of a GPU's BAR window, one instance per (`device`, `slot`).
 *
 * Modelled: the exporter hands the page to one importer's p2p map at a time and gets it back at
 * that map's p2p_unmap (the LKML thread "[RFC PATCH 3/5] mm/vma: add support for peer to peer to
 * device vma", 2019: "the BAR address space is a resource from GPU driver point of view").
 * Left out: which VRAM frame the page exposes (the implementation's).
 */
import { setup } from 'xstate';
import type { SpecEvent } from '../alphabet.js';

export const windowAlphabet = ['bar.alloc', 'bar.free'] as const;

type Ev = Extract<SpecEvent, { type: (typeof windowAlphabet)[number] }>;

export const windowMachine = setup({
  types: { events: {} as Ev },
}).createMachine({
  id: 'window',
  initial: 'free',
  states: {
    free: { on: { 'bar.alloc': { target: 'held' } } },
    /** Held by one p2p map: handing it to another is refused. */
    held: { on: { 'bar.free': { target: 'free' } } },
  },
});

/**
 * A GPU buffer object's placement and sharing, one instance per bo (`obj`).
 *
 * Modelled: the placement (VRAM or system), whether userspace shared it for peer-to-peer, its
 * pins. The rules: a pinned bo never moves; a map or pin in VRAM needs the bo shared (the
 * attachment machine adds: and the attachment p2p); a pin taken with the pin flag through its
 * device VMA is in system memory; unshare is refused while a pin holds the bo
 * in VRAM; its device may not power off while it is in VRAM.
 * Left out: frames, fences, the copy (the implementation's pipelining).
 */
import { assign, setup } from 'xstate';
import type { SpecEvent } from '../alphabet.js';

export const boAlphabet = [
  'obj.create',
  'bo.share',
  'bo.unshare',
  'bo.move',
  'bo.move_fence',
  'bo.pin',
  'bo.unpin',
  'bo.lost',
  'bo.dummy',
  'att.map',
  'dev.poweroff',
  'p2p.map',
  'p2p.pin',
  'p2p.unpin',
] as const;

type Ev = Extract<SpecEvent, { type: (typeof boAlphabet)[number] }>;

interface Ctx {
  device: string;
  shared: boolean;
  pins: number;
  vramPins: number;
}

export const boMachine = setup({
  types: { context: {} as Ctx, events: {} as Ev },
  guards: {
    createdInVram: ({ event }) =>
      event.type === 'obj.create' && event.kind === 'bo' && event.placement === 'vram',
    createdInSystem: ({ event }) =>
      event.type === 'obj.create' && event.kind === 'bo' && event.placement !== 'vram',
    isUnpinned: ({ context }) => context.pins === 0,
    hasNoVramPin: ({ context }) => context.vramPins === 0,
    toVram: ({ event }) => event.type === 'bo.move' && event.to === 'vram',
    toSystem: ({ event }) => event.type === 'bo.move' && event.to === 'system',
    isPinned: ({ context }) => context.pins > 0,
    vramUseAllowed: ({ context, event }) => {
      const vram =
        (event.type === 'bo.pin' || event.type === 'att.map' || event.type === 'p2p.map') &&
        event.vram;
      return !vram || context.shared;
    },
    isSystemPin: ({ event }) =>
      (event.type === 'bo.pin' || event.type === 'p2p.pin') && !event.vram,
    isSystemP2pMap: ({ event }) => event.type === 'p2p.map' && !event.vram,
    isSystemMapping: ({ event }) => event.type === 'att.map' && !event.vram,
    unpinsVramPin: ({ context }) => context.vramPins > 0,
    isOtherDevice: ({ context, event }) =>
      event.type === 'dev.poweroff' && event.device !== context.device,
  },
  actions: {
    share: assign({ shared: () => true }),
    unshare: assign({ shared: () => false }),
    addPin: assign({
      pins: ({ context }) => context.pins + 1,
      vramPins: ({ context, event }) =>
        context.vramPins + (event.type === 'bo.pin' && event.vram ? 1 : 0),
    }),
    dropVramPin: assign({
      pins: ({ context }) => context.pins - 1,
      vramPins: ({ context }) => context.vramPins - 1,
    }),
    dropPin: assign({ pins: ({ context }) => context.pins - 1 }),
    noteFence: () => {},
    noteMapping: () => {},
    noteLoss: () => {},
    notePower: () => {},
    recordDevice: assign({
      device: ({ event }) => (event.type === 'obj.create' ? (event.device ?? '') : ''),
    }),
  },
}).createMachine({
  id: 'bo',
  initial: 'absent',
  context: { device: '', shared: false, pins: 0, vramPins: 0 },
  states: {
    absent: {
      on: {
        'obj.create': [
          { guard: 'createdInVram', target: 'vram', actions: 'recordDevice' },
          { guard: 'createdInSystem', target: 'system', actions: 'recordDevice' },
        ],
      },
    },
    vram: {
      on: {
        'bo.share': { actions: 'share' },
        'bo.unshare': { guard: 'hasNoVramPin', actions: 'unshare' },
        'bo.move': { guard: 'isUnpinned', target: 'system' },
        'bo.move_fence': { actions: 'noteFence' },
        'bo.pin': { guard: 'vramUseAllowed', actions: 'addPin' },
        'bo.unpin': [
          { guard: 'unpinsVramPin', actions: 'dropVramPin' },
          { guard: 'isPinned', actions: 'dropPin' },
        ],
        'att.map': { guard: 'vramUseAllowed', actions: 'noteMapping' },
        'bo.lost': { actions: 'noteLoss' },
        'bo.dummy': { actions: 'noteLoss' },
        'dev.poweroff': { guard: 'isOtherDevice', actions: 'notePower' },
        'p2p.map': { guard: 'vramUseAllowed', actions: 'noteMapping' },
      },
    },
    system: {
      on: {
        'bo.share': { actions: 'share' },
        'bo.unshare': { actions: 'unshare' },
        'bo.move': { guard: 'isUnpinned', target: 'vram' },
        'bo.move_fence': { actions: 'noteFence' },
        'bo.pin': { guard: 'isSystemPin', actions: 'addPin' },
        'bo.unpin': { guard: 'isPinned', actions: 'dropPin' },
        'att.map': { guard: 'isSystemMapping', actions: 'noteMapping' },
        'bo.dummy': { actions: 'noteLoss' },
        'bo.lost': { actions: 'noteLoss' },
        'dev.poweroff': { actions: 'notePower' },
        'p2p.map': { guard: 'isSystemP2pMap', actions: 'noteMapping' },
        'p2p.pin': { guard: 'isSystemPin', actions: 'addPin' },
        'p2p.unpin': { guard: 'isPinned', actions: 'dropPin' },
      },
    },
  },
});

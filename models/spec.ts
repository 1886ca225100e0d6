/**
 * The whole specification: each machine, its alphabet, and how events reach its instances.
 */
import type { SpecEvent } from './alphabet.js';
import { attachmentAlphabet, attachmentMachine } from './machines/attachment.js';
import { boAlphabet, boMachine } from './machines/bo.js';
import { deviceAlphabet, deviceMachine } from './machines/device.js';
import { devptAlphabet, devptMachine } from './machines/devpt.js';
import { jobAlphabet, jobMachine } from './machines/job.js';
import { mappingAlphabet, mappingMachine } from './machines/mapping.js';
import { notifierAlphabet, notifierMachine } from './machines/notifier.js';
import { objectAlphabet, objectMachine } from './machines/object.js';
import { pageAlphabet, pageMachine } from './machines/page.js';
import { processAlphabet, processMachine } from './machines/process.js';
import { subscriptionAlphabet, subscriptionMachine } from './machines/subscription.js';
import { vmaAlphabet, vmaMachine } from './machines/vma.js';
import { windowAlphabet, windowMachine } from './machines/window.js';
import { type Directory, type MachineSpec, Product } from './product.js';

function objOf(ev: SpecEvent): string {
  return 'obj' in ev ? ev.obj : '';
}

function pageKey(ev: SpecEvent): string {
  return 'page' in ev ? `${objOf(ev)}:${ev.page}` : '';
}

function isAnon(dir: Directory, obj: string): boolean {
  return dir.objs[obj]?.kind === 'anon';
}

function isBo(dir: Directory, obj: string): boolean {
  return dir.objs[obj]?.kind === 'bo';
}

/** Every page of every anon object (a device power-off asks them all). */
function everyPage(dir: Directory): string[] {
  const out: string[] = [];
  for (const [obj, o] of Object.entries(dir.objs)) {
    if (o.kind === 'anon' && !o.released) for (let p = 0; p < o.pages; p++) out.push(`${obj}:${p}`);
  }
  return out;
}

/** Every attachment of a bo (an unshare reaches them all). */
function attachmentsOf(ev: SpecEvent, dir: Directory): string[] {
  return (dir.objs[objOf(ev)]?.importers ?? []).map((i) => `${i}:${objOf(ev)}`);
}

/** Every importer entry of a page changed by this event. */
function importerPages(ev: SpecEvent, dir: Directory): string[] {
  const o = dir.objs[objOf(ev)];
  if (!o) return [];
  if ('page' in ev) return o.importers.map((i) => `${i}:${ev.obj}:${ev.page}`);
  const out: string[] = [];
  for (const i of o.importers) for (let p = 0; p < o.pages; p++) out.push(`${i}:${objOf(ev)}:${p}`);
  return out;
}

export const MACHINES: readonly MachineSpec[] = [
  {
    id: 'object',
    keyedBy: 'object (`obj`)',
    machine: objectMachine,
    alphabet: objectAlphabet,
    route: (ev) => [objOf(ev)],
  },
  {
    id: 'page',
    keyedBy: 'anon page (`obj:page`)',
    machine: pageMachine,
    alphabet: pageAlphabet,
    route: (ev, dir) => {
      if (ev.type === 'dev.poweroff') return everyPage(dir);
      return isAnon(dir, objOf(ev)) ? [pageKey(ev)] : [];
    },
    eventKey: (ev) => {
      if (ev.type === 'dev.poweroff' || ev.type === 'page.poison') return `${ev.type}|${ev.device}`;
      if (ev.type === 'page.migrate_commit') return `${ev.type}|${ev.to}|${ev.device}`;
      if (ev.type === 'page.pin') return `${ev.type}|${ev.longterm}`;
      if (ev.type === 'page.unpin') return `${ev.type}|${ev.stale}`;
      if (ev.type === 'page.inherit') return `${ev.type}|${ev.where}|${ev.device}`;
      if (ev.type === 'devpt.set') return `${ev.type}|${ev.device}`;
      if (ev.type === 'page.zap') return `${ev.type}|${ev.cached === true}`;
      return ev.type;
    },
  },
  {
    id: 'mapping',
    keyedBy: 'anon page (`obj:page`)',
    machine: mappingMachine,
    alphabet: mappingAlphabet,
    route: (ev, dir) => (isAnon(dir, objOf(ev)) ? [pageKey(ev)] : []),
    eventKey: (ev) => {
      if (ev.type === 'page.pin' || ev.type === 'devpt.set') return `${ev.type}|${ev.write}`;
      if (ev.type === 'page.protect') return `${ev.type}|${ev.prot}`;
      if (ev.type === 'page.inherit') return `${ev.type}|${ev.where}|${ev.shared}`;
      if (ev.type === 'page.populate') return `${ev.type}|${ev.shmem === true}`;
      if (ev.type === 'page.zap') return `${ev.type}|${ev.cached === true}`;
      return ev.type;
    },
  },
  {
    id: 'process',
    keyedBy: 'forked process (`child`)',
    machine: processMachine,
    alphabet: processAlphabet,
    route: (ev) => ('child' in ev ? [ev.child] : []),
  },
  {
    id: 'devpt',
    keyedBy: "importer's page-table entry for a page (`importer:obj:page`)",
    machine: devptMachine,
    alphabet: devptAlphabet,
    route: (ev, dir) => {
      if (ev.type === 'devpt.view' || ev.type === 'devpt.set' || ev.type === 'devpt.zap') {
        return [`${ev.importer}:${ev.obj}:${ev.page}`];
      }
      return importerPages(ev, dir);
    },
    eventKey: (ev) =>
      ev.type === 'page.lost' || ev.type === 'bo.lost' ? `${ev.type}|${ev.byReset}` : ev.type,
  },
  {
    id: 'bo',
    keyedBy: 'bo (`obj`)',
    machine: boMachine,
    alphabet: boAlphabet,
    route: (ev, dir) => {
      if (ev.type === 'obj.create') return ev.kind === 'bo' ? [ev.obj] : [];
      if (ev.type === 'dev.poweroff')
        return Object.keys(dir.objs).filter((o) => isBo(dir, o) && !dir.objs[o]?.released);
      return isBo(dir, objOf(ev)) ? [objOf(ev)] : [];
    },
    eventKey: (ev) => {
      if (ev.type === 'obj.create') return `${ev.type}|${ev.kind}|${ev.placement}|${ev.device}`;
      if (ev.type === 'dev.poweroff') return `${ev.type}|${ev.device}`;
      if (ev.type === 'bo.move') return `${ev.type}|${ev.to}`;
      if (
        ev.type === 'bo.pin' ||
        ev.type === 'att.map' ||
        ev.type === 'p2p.map' ||
        ev.type === 'p2p.pin'
      )
        return `${ev.type}|${ev.vram}`;
      return ev.type;
    },
  },
  {
    id: 'vma',
    keyedBy: "bo's device VMA (`obj`)",
    machine: vmaMachine,
    alphabet: vmaAlphabet,
    route: (ev, dir) => (isBo(dir, objOf(ev)) ? [objOf(ev)] : []),
  },
  {
    id: 'window',
    keyedBy: 'page of a BAR window (`device:slot`)',
    machine: windowMachine,
    alphabet: windowAlphabet,
    route: (ev) =>
      ev.type === 'bar.alloc' || ev.type === 'bar.free' ? [`${ev.device}:${ev.slot}`] : [],
  },
  {
    id: 'attachment',
    keyedBy: 'dma-buf attachment (`importer:obj`)',
    machine: attachmentMachine,
    alphabet: attachmentAlphabet,
    route: (ev, dir) => {
      if (ev.type === 'bo.unshare') return attachmentsOf(ev, dir);
      return 'importer' in ev ? [`${ev.importer}:${objOf(ev)}`] : [];
    },
    eventKey: (ev) => {
      if (ev.type === 'att.attach') return `${ev.type}|${ev.p2p}|${ev.dynamic}`;
      if (ev.type === 'bo.pin' || ev.type === 'att.map') return `${ev.type}|${ev.vram}`;
      return ev.type;
    },
  },
  {
    id: 'device',
    keyedBy: 'device (`device`)',
    machine: deviceMachine,
    alphabet: deviceAlphabet,
    route: (ev) => ('device' in ev && typeof ev.device === 'string' ? [ev.device] : []),
  },
  {
    id: 'job',
    keyedBy: 'userptr job slot (`importer:obj`)',
    machine: jobMachine,
    alphabet: jobAlphabet,
    route: (ev) => ('importer' in ev ? [`${ev.importer}:${objOf(ev)}`] : []),
  },
  {
    id: 'notifier',
    keyedBy: 'mm (`mm`: a single instance)',
    machine: notifierMachine,
    alphabet: notifierAlphabet,
    route: () => ['mm'],
  },
  {
    id: 'subscription',
    keyedBy: 'interval subscription (`importer:obj`)',
    machine: subscriptionMachine,
    alphabet: subscriptionAlphabet,
    route: (ev) => ('importer' in ev ? [`${ev.importer}:${objOf(ev)}`] : []),
  },
];

export function createSpec(): Product {
  return new Product(MACHINES);
}

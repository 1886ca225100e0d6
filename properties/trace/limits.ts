/**
 * Bounds on what a trace or configuration file may ask for, chosen so that the largest input they
 * allow replays in seconds (`npm run bench:largest` measures it) while leaving room far beyond
 * the small models the checker explores. A file beyond them is invalid input (exit 2) and is
 * refused before anything runs. docs/contract.md lists them.
 */
import { MAX_PAGES } from '../../src/ops/obj-create.js';

export const LIMITS = {
  /** Bytes of a trace or configuration file. */
  fileBytes: 4 * 1024 * 1024,
  /** Depth of nested arrays and objects anywhere in the file (the root is depth 1). */
  nesting: 32,
  /** Steps of a trace (and `check --max-steps`). */
  steps: 2000,
  /** obj.create steps of a trace (each may allocate up to MAX_PAGES pages). */
  objects: 256,
  /** Pages of an object (obj.create beyond it is EINVAL at run time) and of a page list. */
  pages: MAX_PAGES,
  systemFrames: 2048,
  /** VRAM frames of one device. */
  vramFrames: 2048,
  /** System frames plus every device's VRAM frames. */
  totalFrames: 4096,
  swapSlots: 4096,
  devices: 8,
  importers: 32,
  /** Characters of an id (object, device, importer, label). */
  idLength: 64,
  /** Characters of a description or note. */
  textLength: 4096,
  /** Entries of a fault list. */
  faults: 64,
} as const;

/** Keys that would reach an object's prototype instead of the object: refused anywhere. */
export const FORBIDDEN_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

/** Bounds of a search's options (`check`, and a counterexample's `found` block). */
export const SEARCH_LIMITS = {
  runs: 1_000_000_000,
  /** Seeds are 32-bit: larger numbers would not reproduce. */
  seed: 2 ** 31 - 1,
  deviceEvents: 1000,
  /** `--seeds`: consecutive seeds one search covers. */
  seeds: 10_000,
  /** `--workers`: lanes (threads) a search is split into. */
  workers: 256,
  /** `--shard i/n`: slices a search is cut into. */
  shards: 100_000,
  /** `--time` in seconds (about 115 days). */
  timeSeconds: 10_000_000,
} as const;

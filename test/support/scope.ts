/** Faults whose mechanism the model implements so far. */
export const IMPLEMENTED_FAULTS: readonly string[] = [
  'skip-read-retry',
  'retry-outside-lock',
  'eagain-keeps-lock',
  'eagain-calls-end',
  'new-subscription-valid',
  'migrate-ignores-pin',
  'longterm-pin-in-device-memory',
  'fault-without-page-ref',
  'flush-after-unlock',
  'drop-dirty-on-migrate',
  'dirty-frame-reuse',
  'hmm-maps-foreign-private',
  'unpin-keeps-count',
  'orphan-never-freed',
  'vram-overcommit',
];

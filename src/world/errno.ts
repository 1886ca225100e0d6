/** errno-style error codes the simulated kernel API returns. */
export const ERRNOS = [
  'EPERM',
  'ENOENT',
  'ESRCH',
  'EIO',
  'EAGAIN',
  'ENOMEM',
  'EFAULT',
  'EBUSY',
  'EEXIST',
  'ENODEV',
  'EINVAL',
  'ENOSPC',
  'EOPNOTSUPP',
  'EALREADY',
] as const;

export type Errno = (typeof ERRNOS)[number];

const CODES: ReadonlySet<string> = new Set(ERRNOS);

export function isErrnoCode(x: unknown): x is Errno {
  // Every code starts with 'E' (69): most other strings are told apart without the set.
  return typeof x === 'string' && x.charCodeAt(0) === 69 && CODES.has(x);
}

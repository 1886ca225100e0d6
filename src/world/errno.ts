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
  return typeof x === 'string' && CODES.has(x);
}

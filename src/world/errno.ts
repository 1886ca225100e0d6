/** errno-style error codes the simulated kernel API returns. */
export type Errno =
  | 'EPERM'
  | 'ENOENT'
  | 'EIO'
  | 'EAGAIN'
  | 'ENOMEM'
  | 'EFAULT'
  | 'EBUSY'
  | 'EEXIST'
  | 'ENODEV'
  | 'EINVAL'
  | 'ENOSPC'
  | 'EOPNOTSUPP'
  | 'EALREADY';

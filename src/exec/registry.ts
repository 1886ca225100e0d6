/** Every operation of the simulated kernel API, by its contract name. */
import { cpuRead, cpuWrite } from '../ops/cpu-access.js';
import { devHang } from '../ops/dev-hang.js';
import { devReset } from '../ops/dev-reset.js';
import { devResume } from '../ops/dev-resume.js';
import { devSuspend } from '../ops/dev-suspend.js';
import { devUnplug } from '../ops/dev-unplug.js';
import { impRead, impWrite } from '../ops/imp-access.js';
import { impAttach } from '../ops/imp-attach.js';
import { impComplete } from '../ops/imp-complete.js';
import { impDetach } from '../ops/imp-detach.js';
import { impExclusive } from '../ops/imp-exclusive.js';
import { impMap } from '../ops/imp-map.js';
import { impPin } from '../ops/imp-pin.js';
import { impSubmit } from '../ops/imp-submit.js';
import { impUnmap } from '../ops/imp-unmap.js';
import { impUnpin } from '../ops/imp-unpin.js';
import { mmReclaim } from '../ops/mm-reclaim.js';
import { objCreate } from '../ops/obj-create.js';
import { objDestroy } from '../ops/obj-destroy.js';
import { objMigrate } from '../ops/obj-migrate.js';
import { objMmap, objMunmap } from '../ops/obj-mmap.js';
import { objShare, objUnshare } from '../ops/obj-share.js';
import { procFork } from '../ops/proc-fork.js';
import { vmaAdvise } from '../ops/vma-advise.js';
import { vmaProtect } from '../ops/vma-protect.js';
import { vmaUnmap } from '../ops/vma-unmap.js';
import type { OpDef } from './op.js';

const ALL: readonly OpDef[] = [
  objCreate,
  objDestroy,
  objMigrate,
  objShare,
  objUnshare,
  mmReclaim,
  procFork,
  vmaUnmap,
  vmaProtect,
  vmaAdvise,
  cpuRead,
  cpuWrite,
  impAttach,
  impMap,
  impUnmap,
  impDetach,
  impPin,
  impUnpin,
  impRead,
  impWrite,
  impSubmit,
  impComplete,
  impExclusive,
  devHang,
  devReset,
  devSuspend,
  devResume,
  devUnplug,
  objMmap,
  objMunmap,
];

const BY_NAME = new Map(ALL.map((o) => [o.name, o]));

export const OP_NAMES: readonly string[] = ALL.map((o) => o.name);

export function opDef(name: string): OpDef | undefined {
  return BY_NAME.get(name);
}

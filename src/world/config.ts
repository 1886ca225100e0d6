/**
 * The model's configuration: which devices and importers exist and how much memory there is.
 * This is the `config` object of a devmem-trace/1 file with every default filled in.
 */

export type MemoryKind = 'private' | 'coherent';
export type ImporterKind = 'mirror' | 'gup' | 'dio' | 'dmabuf' | 'userptr' | 'vfio';
export type Domain = 'vram' | 'system';

export interface DeviceConfig {
  readonly id: string;
  readonly vramFrames: number;
  readonly memory: MemoryKind;
  /** Peer-to-peer through a device VMA (p2p.md): pages of BAR window the driver hands out. */
  readonly barPages: number;
  /** The driver's own policy on top of userspace's share flag: `system` forces peers to RAM. */
  readonly driverPolicy: DriverPolicy;
  /** What the driver does with the pin flag: refuse it (EPERM) or pin the bo in system memory. */
  readonly pinFlag: PinFlagPolicy;
  /** What a pinned VMA-path importer gets once the device went away: EIO, or the dummy page. */
  readonly revoke: RevokePolicy;
}

export type DriverPolicy = 'p2p' | 'system';
export type PinFlagPolicy = 'refuse' | 'system';
export type RevokePolicy = 'eio' | 'dummy';

export interface ImporterConfig {
  readonly id: string;
  readonly kind: ImporterKind;
  /** mirror: the GPU it runs on (maps that GPU's private pages in place). */
  readonly device: string | null;
  /** dmabuf: dynamic (move_notify) or static (pin on map). */
  readonly dynamic: boolean;
  /** Devices this importer reaches by PCIe peer-to-peer. */
  readonly p2p: readonly string[];
  /** userptr: gfx jobs are short, compute jobs run until imp.complete. */
  readonly queues: 'gfx' | 'compute' | null;
}

export interface Config {
  readonly systemFrames: number;
  readonly swapSlots: number;
  readonly devices: readonly DeviceConfig[];
  readonly importers: readonly ImporterConfig[];
}

/** The shape a trace file may use: optional fields omitted. */
export interface ConfigInput {
  systemFrames: number;
  swapSlots?: number | undefined;
  devices?:
    | ReadonlyArray<{
        id: string;
        vramFrames: number;
        memory?: MemoryKind | undefined;
        barPages?: number | undefined;
        driverPolicy?: DriverPolicy | undefined;
        pinFlag?: PinFlagPolicy | undefined;
        revoke?: RevokePolicy | undefined;
      }>
    | undefined;
  importers?:
    | ReadonlyArray<{
        id: string;
        kind: ImporterKind;
        device?: string | undefined;
        dynamic?: boolean | undefined;
        p2p?: readonly string[] | undefined;
        queues?: 'gfx' | 'compute' | undefined;
      }>
    | undefined;
}

export const DEFAULT_SWAP_SLOTS = 16;

export function normalizeConfig(input: ConfigInput): Config {
  return {
    systemFrames: input.systemFrames,
    swapSlots: input.swapSlots ?? DEFAULT_SWAP_SLOTS,
    devices: (input.devices ?? []).map((d) => ({
      id: d.id,
      vramFrames: d.vramFrames,
      memory: d.memory ?? 'private',
      barPages: d.barPages ?? d.vramFrames,
      driverPolicy: d.driverPolicy ?? 'p2p',
      pinFlag: d.pinFlag ?? 'system',
      revoke: d.revoke ?? 'eio',
    })),
    importers: (input.importers ?? []).map((i) => ({
      id: i.id,
      kind: i.kind,
      device: i.device ?? null,
      dynamic: i.dynamic ?? true,
      p2p: [...(i.p2p ?? [])],
      queues: i.kind === 'userptr' ? (i.queues ?? 'gfx') : null,
    })),
  };
}

/** Back to the trace-file shape, defaults left out where they are the default. */
export function configToInput(c: Config): ConfigInput {
  return {
    systemFrames: c.systemFrames,
    ...(c.swapSlots !== DEFAULT_SWAP_SLOTS ? { swapSlots: c.swapSlots } : {}),
    devices: c.devices.map((d) => ({
      id: d.id,
      vramFrames: d.vramFrames,
      memory: d.memory,
      ...(d.barPages !== d.vramFrames ? { barPages: d.barPages } : {}),
      ...(d.driverPolicy !== 'p2p' ? { driverPolicy: d.driverPolicy } : {}),
      ...(d.pinFlag !== 'system' ? { pinFlag: d.pinFlag } : {}),
      ...(d.revoke !== 'eio' ? { revoke: d.revoke } : {}),
    })),
    importers: c.importers.map((i) => ({
      id: i.id,
      kind: i.kind,
      ...(i.device !== null ? { device: i.device } : {}),
      ...(i.kind === 'dmabuf' && !i.dynamic ? { dynamic: false } : {}),
      ...(i.p2p.length > 0 ? { p2p: [...i.p2p] } : {}),
      ...(i.queues !== null ? { queues: i.queues } : {}),
    })),
  };
}

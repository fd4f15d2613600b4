/**
 * The narrow domain API the renderer sees as `window.passthru`. Built from a transport so
 * the preload (ipcRenderer) and the test bridge (WebSocket) expose exactly the same object.
 */
import type { EventChannel, EventPayloads, InvokeChannel, InvokeRequest, InvokeResult, IpcResult } from './ipc-contract';
import { PassthruError, type PassthruErrorData } from './errors';
import type { IommuBootStatus } from './iommu';
import type { VmProfile, VmStatus } from './vm';
import type { VmExport, VmPreview, VmStopResult, VmSummary } from './vm-api';
import type { HostScan, ScanSource } from './model';
import type { ApplyProgress, ApplyResult, JournalHistory, Plan } from './plan';

export interface Transport {
  invoke(channel: InvokeChannel, payload: unknown): Promise<IpcResult<unknown>>;
  subscribe<E extends EventChannel>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
}

export interface PassthruApi {
  scan(): Promise<HostScan>;
  source(): Promise<ScanSource>;
  /** Opens a snapshot directory (asks with a folder picker when no path is given). */
  openSnapshot(path?: string): Promise<ScanSource | null>;
  useLiveHost(): Promise<ScanSource>;
  onHostChanged(listener: (payload: EventPayloads['host:changed']) => void): () => void;
  planAssign(request: InvokeRequest<'assign:plan'>): Promise<Plan>;
  planRelease(address: string): Promise<Plan>;
  planSriov(request: InvokeRequest<'sriov:plan'>): Promise<Plan>;
  planVfConfig(request: InvokeRequest<'vf:plan'>): Promise<Plan>;
  /** How the host boots, and whether its boot configuration turns the IOMMU on. */
  iommuStatus(): Promise<IommuBootStatus>;
  /** Plans the IOMMU kernel arguments in the boot configuration (enable or disable). */
  planIommu(request: InvokeRequest<'iommu:plan'>): Promise<Plan>;
  applyPlan(planId: string, confirmText?: string): Promise<ApplyResult>;
  history(): Promise<JournalHistory>;
  planUndo(journalId?: string): Promise<Plan>;
  onPlanProgress(listener: (progress: ApplyProgress) => void): () => void;
  vmList(): Promise<VmSummary[]>;
  vmPreview(profile: VmProfile, paused?: boolean): Promise<VmPreview>;
  vmCreate(profile: VmProfile): Promise<VmProfile>;
  vmDelete(name: string): Promise<null>;
  vmCreateDisk(path: string, sizeGiB: number): Promise<null>;
  vmStart(name: string, paused?: boolean): Promise<VmStatus>;
  vmStatus(name: string): Promise<VmStatus>;
  vmPause(name: string): Promise<VmStatus>;
  vmResume(name: string): Promise<VmStatus>;
  vmStop(name: string, options?: { force?: boolean; timeoutSeconds?: number }): Promise<VmStopResult>;
  vmLog(name: string): Promise<{ file: string; text: string }>;
  vmExport(name: string, format: 'script' | 'libvirt'): Promise<VmExport>;
}

/**
 * The API as exposed across the context bridge. Failures reject with plain
 * `PassthruErrorData`, because contextBridge strips custom properties (code, remedy) from
 * Error objects; the renderer rebuilds real errors with `withRebuiltErrors`.
 */
export function createApi(transport: Transport): PassthruApi {
  async function call<C extends InvokeChannel>(channel: C, payload: InvokeRequest<C>): Promise<InvokeResult<C>> {
    const result = await transport.invoke(channel, payload);
    if (!result.ok) throw result.error;
    return result.value as InvokeResult<C>;
  }
  return {
    scan: () => call('host:scan', {}),
    source: () => call('host:source', {}),
    openSnapshot: (path) => call('host:openSnapshot', path === undefined ? {} : { path }),
    useLiveHost: () => call('host:useLive', {}),
    onHostChanged: (listener) => transport.subscribe('host:changed', listener),
    planAssign: (request) => call('assign:plan', request),
    planRelease: (address) => call('release:plan', { address }),
    planSriov: (request) => call('sriov:plan', request),
    planVfConfig: (request) => call('vf:plan', request),
    iommuStatus: () => call('iommu:status', {}),
    planIommu: (request) => call('iommu:plan', request),
    applyPlan: (planId, confirmText) => call('plan:apply', confirmText === undefined ? { planId } : { planId, confirmText }),
    history: () => call('history:list', {}),
    planUndo: (journalId) => call('history:planUndo', journalId === undefined ? {} : { journalId }),
    onPlanProgress: (listener) => transport.subscribe('plan:progress', listener),
    vmList: () => call('vm:list', {}),
    vmPreview: (profile, paused) => call('vm:preview', paused === undefined ? { profile } : { profile, paused }),
    vmCreate: (profile) => call('vm:create', { profile }),
    vmDelete: (name) => call('vm:delete', { name }),
    vmCreateDisk: (path, sizeGiB) => call('vm:createDisk', { path, sizeGiB }),
    vmStart: (name, paused) => call('vm:start', paused === undefined ? { name } : { name, paused }),
    vmStatus: (name) => call('vm:status', { name }),
    vmPause: (name) => call('vm:pause', { name }),
    vmResume: (name) => call('vm:resume', { name }),
    vmStop: (name, options = {}) => call('vm:stop', { name, ...options }),
    vmLog: (name) => call('vm:log', { name }),
    vmExport: (name, format) => call('vm:export', { name, format }),
  };
}

export function isErrorData(value: unknown): value is PassthruErrorData {
  return typeof value === 'object' && value !== null && 'code' in value && 'message' in value;
}

/** Wraps the bridged API so its rejections are PassthruError instances again (errors as data, rebuilt here). */
export function withRebuiltErrors(api: PassthruApi): PassthruApi {
  const rebuild = (err: unknown): never => {
    throw isErrorData(err) ? PassthruError.fromData(err) : err;
  };
  return {
    scan: () => api.scan().catch(rebuild),
    source: () => api.source().catch(rebuild),
    openSnapshot: (path) => api.openSnapshot(path).catch(rebuild),
    useLiveHost: () => api.useLiveHost().catch(rebuild),
    onHostChanged: (listener) => api.onHostChanged(listener),
    planAssign: (request) => api.planAssign(request).catch(rebuild),
    planRelease: (address) => api.planRelease(address).catch(rebuild),
    planSriov: (request) => api.planSriov(request).catch(rebuild),
    planVfConfig: (request) => api.planVfConfig(request).catch(rebuild),
    iommuStatus: () => api.iommuStatus().catch(rebuild),
    planIommu: (request) => api.planIommu(request).catch(rebuild),
    applyPlan: (planId, confirmText) => api.applyPlan(planId, confirmText).catch(rebuild),
    history: () => api.history().catch(rebuild),
    planUndo: (journalId) => api.planUndo(journalId).catch(rebuild),
    onPlanProgress: (listener) => api.onPlanProgress(listener),
    vmList: () => api.vmList().catch(rebuild),
    vmPreview: (profile, paused) => api.vmPreview(profile, paused).catch(rebuild),
    vmCreate: (profile) => api.vmCreate(profile).catch(rebuild),
    vmDelete: (name) => api.vmDelete(name).catch(rebuild),
    vmCreateDisk: (path, sizeGiB) => api.vmCreateDisk(path, sizeGiB).catch(rebuild),
    vmStart: (name, paused) => api.vmStart(name, paused).catch(rebuild),
    vmStatus: (name) => api.vmStatus(name).catch(rebuild),
    vmPause: (name) => api.vmPause(name).catch(rebuild),
    vmResume: (name) => api.vmResume(name).catch(rebuild),
    vmStop: (name, options) => api.vmStop(name, options).catch(rebuild),
    vmLog: (name) => api.vmLog(name).catch(rebuild),
    vmExport: (name, format) => api.vmExport(name, format).catch(rebuild),
  };
}

/**
 * One ChangeService per host root the GUI has shown, so plans made while looking at a
 * snapshot stay previews of that snapshot. Only the live host (`/`) can be changed: applying a
 * plan made on a snapshot or test tree is refused before anything runs.
 */
import { PassthruError } from '../../../shared/errors';
import type { ApplyProgress } from '../../../shared/plan';
import { ChangeService, type ChangeServiceOptions } from '../changes/change-service';
import type { AssignRequest, ChangeServiceApi, IommuRequest, SriovRequest, VfConfigRequest } from '../changes/change-service.types';

export class ChangeServices implements ChangeServiceApi {
  private readonly byRoot = new Map<string, ChangeService>();

  constructor(
    /** The root currently shown (HostService.currentRoot). */
    private readonly currentRoot: () => string,
    private readonly options: Omit<ChangeServiceOptions, 'root'> = {},
  ) {}

  private current(): ChangeService {
    const root = this.currentRoot();
    let service = this.byRoot.get(root);
    if (!service) {
      service = new ChangeService({ ...this.options, root });
      this.byRoot.set(root, service);
    }
    return service;
  }

  planAssign(request: AssignRequest) {
    return this.current().planAssign(request);
  }

  planRelease(address: string) {
    return this.current().planRelease(address);
  }

  planSriov(request: SriovRequest) {
    return this.current().planSriov(request);
  }

  planVfConfig(request: VfConfigRequest) {
    return this.current().planVfConfig(request);
  }

  planIommu(request: IommuRequest) {
    return this.current().planIommu(request);
  }

  apply(planId: string, options: { confirmText?: string; onProgress?: (progress: ApplyProgress) => void }) {
    if (this.currentRoot() !== '/') {
      return Promise.reject(
        new PassthruError(
          'REFUSED',
          'This is a snapshot: Passthru shows it read-only and changes nothing.',
          'Choose File → Show Live Host to make changes on this machine.',
        ),
      );
    }
    return this.current().apply(planId, options);
  }

  history() {
    return this.current().history();
  }

  planUndo(journalId?: string) {
    return this.current().planUndo(journalId);
  }
}

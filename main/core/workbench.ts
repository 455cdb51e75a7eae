/**
 * The workbench facade: one handler per contract call, over one open project. Electron's IPC,
 * the web host and tests all call `dispatch`, which validates arguments against the contract
 * before any handler runs.
 */
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { AppInfo, CallName, CompactResult, Events, Handlers, Incident, RecentProject } from '../../preload/contract.ts';
import { exportReport, reportsDir } from './incidents/export.ts';
import { exportFlows } from './query/exportFlows.ts';
import { findHost } from './query/hosts.ts';
import { exportWindows } from './triage/exportWindows.ts';
import { exportAudit } from './triage/exportAudit.ts';
import { parseArgs } from '../../preload/contract.ts';
import { importCapture } from './capture/import.ts';
import { MindflowError, errorCode, oneLine } from './errors.ts';
import { Jobs, type Emit } from './jobs.ts';
import { Project, type ProjectOpenMode } from './project.ts';
import { projectsBeside } from './recentProjects.ts';
import { runReadOnlySql } from './query/console.ts';
import { aggregates, countBy, histogram, queryFlows } from './query/flows.ts';
import { evaluateModel, listScans, probeBackend, scanCapture, trainModel } from './detector/service.ts';
import { carrySources, carryVerdicts, otherVerdicts } from './triage/carry.ts';
import { deleteScan, scanUsage } from './detector/scans.ts';
import { incidentMoveTargets, moveIncident } from './incidents/move.ts';
import { relatedIncidents } from './incidents/related.ts';
import { addNote, auditLog, listWindows, scanMeta, setVerdict, setVerdictMatching, thresholdCurve, undoVerdict, windowDetail } from './triage/triage.ts';
import { Explainer } from './triage/explain.ts';
import { addIncidentNote, addIncidentWindows, createIncident, deleteIncident, getIncident, incidentWindows, listIncidents, removeIncidentWindows, updateIncident } from './incidents/incidents.ts';
import { ModelStore, packageFolderName } from './detector/store.ts';
import type { Envelope } from '../../preload/contract.ts';

export { APP_VERSION } from './version.ts';
import { APP_VERSION } from './version.ts';

export interface WorkbenchOptions {
  host: AppInfo['host'];
  /** Electron supplies a native file dialog; other hosts have none. */
  pickFile?: () => Promise<string | null>;
  /** Electron's native save dialog for an export's file, starting at `suggested`. */
  pickSaveFile?: (suggested: string) => Promise<string | null>;
  /** Electron's native dialog for a model package folder (export: a new one, starting at `suggested`). */
  pickPackage?: (exporting: boolean, suggested: string) => Promise<string | null>;
  /** Electron prints PDF with its own Chromium; elsewhere headless Chromium is used. */
  printPdf?: (html: string) => Promise<Uint8Array>;
  /** Electron opens a file or shows it in its folder. */
  reveal?: (path: string, show: boolean) => Promise<boolean>;
  /** The web host says where a browser can download an exported report. */
  reportUrl?: (path: string) => string | null;
  /** A session (main/core/session.ts) opens other projects; a bare workbench has one project. */
  projects?: ProjectHooks;
}

/** What a workbench asks of its session to list, open and create projects. */
export interface ProjectHooks {
  open(path: string, create: boolean): Promise<AppInfo>;
  recent(): Promise<RecentProject[]>;
  forget(path: string): Promise<void>;
  compact(): Promise<CompactResult>;
  /** Electron's native dialog; absent elsewhere */
  pick?: (create: boolean) => Promise<string | null>;
}

/**
 * Where a path typed in an export dialog points: `~/…` is the home folder, and a relative path
 * is beside the project (the hosts' working folder means nothing to an analyst). The CLI
 * passes its paths as given: there they are relative to the shell's folder.
 */
export function exportTarget(projectPath: string, typed: string | undefined): string | undefined {
  const path = typed?.trim();
  if (!path) return undefined;
  if (path === '~' || path.startsWith('~/')) return join(homedir(), path.slice(1));
  return isAbsolute(path) ? path : join(dirname(resolve(projectPath)), path);
}

type Listener = <E extends keyof Events>(event: E, payload: Events[E]) => void;

export class Workbench {
  readonly jobs: Jobs;
  private readonly explainer = new Explainer();
  readonly handlers: Handlers;
  private listeners = new Set<Listener>();
  /** files this session's export jobs wrote: the only ones `revealReport` opens */
  private readonly exportedPaths = new Set<string>();

  private constructor(readonly project: Project, readonly options: WorkbenchOptions) {
    const emit: Emit = (event, payload) => {
      for (const l of this.listeners) l(event, payload);
    };
    this.jobs = new Jobs(emit);
    this.handlers = this.createHandlers(emit);
  }

  static async open(projectPath: string, options: WorkbenchOptions, mode: ProjectOpenMode = 'any'): Promise<Workbench> {
    return new Workbench(await Project.open(projectPath, mode), options);
  }

  info(): AppInfo {
    return {
      name: 'MindFlow Workbench',
      version: APP_VERSION,
      host: this.options.host,
      projectPath: this.project.path,
      platform: process.platform,
      node: process.versions.node,
    };
  }

  /** Subscribes to every event; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Validates and runs one call; never throws: errors come back in the envelope. */
  async dispatch(name: string, rawArgs: unknown): Promise<Envelope> {
    try {
      if (!Object.prototype.hasOwnProperty.call(this.handlers, name)) {
        throw new MindflowError('bad-args', `unknown call "${name.slice(0, 64)}"`);
      }
      const call = name as CallName;
      let args;
      try {
        args = parseArgs(call, rawArgs);
      } catch (err) {
        throw new MindflowError('bad-args', oneLine(err));
      }
      const handler = this.handlers[call] as (a: unknown) => Promise<unknown>;
      return { ok: true, result: await handler(args) };
    } catch (err) {
      return { ok: false, error: { code: errorCode(err), message: oneLine(err) } };
    }
  }

  private createHandlers(emit: Emit): Handlers {
    const project = this.project;
    const changed = (incident: Incident) => {
      emit('incidents:changed', { incidentIds: [incident.id] });
      return incident;
    };
    return {
      appInfo: async () => this.info(),
      listCaptures: () => project.listCaptures(),
      importCapture: async ({ path }) => ({
        jobId: this.jobs.start('import', `import ${path.split(/[\\/]/).pop()}`, (ctx) => importCapture(project, path, ctx), (r) => {
          if (r && !r.reused) emit('captures:changed', { captureIds: [r.capture.id] });
        }),
      }),
      deleteCapture: async ({ captureId }) => {
        await project.deleteCapture(captureId);
        emit('captures:changed', { captureIds: [captureId] });
      },
      listJobs: async () => this.jobs.list(),
      cancelJob: async ({ jobId }) => this.jobs.cancel(jobId),
      queryFlows: async ({ captureId, filter, sort, offset, limit }) => {
        const capture = await project.capture(captureId);
        return project.withConnection((c) => queryFlows(c, capture, { filter, sort, offset, limit }));
      },
      aggregates: async ({ captureId, filter, top }) => {
        const capture = await project.capture(captureId);
        return aggregates((fn) => project.withConnection(fn), capture, filter, top);
      },
      countBy: async ({ captureId, filter, column, limit }) => {
        const capture = await project.capture(captureId);
        return project.withConnection((c) => countBy(c, capture, filter, column, limit));
      },
      histogram: async ({ captureId, filter, bins, colourBy, axis }) => {
        const capture = await project.capture(captureId);
        return project.withConnection((c) => histogram(c, capture, filter, bins, colourBy, axis));
      },
      runSql: async ({ sql, limit }) => project.withConnection((c) => runReadOnlySql(c, sql, limit)),
      backendStatus: () => probeBackend(),
      listModels: () => new ModelStore(project).list(),
      trainModel: async ({ captureId, name, settings }) => {
        const capture = await project.capture(captureId);
        return {
          jobId: this.jobs.start(
            'train',
            `train on ${capture.fileName}`,
            (ctx) =>
              trainModel(project, capture, { name, settings }, {
                ...ctx,
                onEpoch: (point) => emit('train:epoch', { jobId: ctx.jobId, point }),
                onBatch: (p) => emit('train:batch', { jobId: ctx.jobId, ...p }),
              }),
            (r) => emit('models:changed', { modelIds: [r.model.id] }),
          ),
        };
      },
      evaluateModel: async ({ modelId, captureId }) => {
        const capture = await project.capture(captureId);
        return { jobId: this.jobs.start('evaluate', `evaluate on ${capture.fileName}`, (ctx) => evaluateModel(project, capture, modelId, ctx)) };
      },
      importModel: async ({ dir }) => {
        const model = await new ModelStore(project).add(dir);
        emit('models:changed', { modelIds: [model.id] });
        return model;
      },
      exportModel: ({ modelId, dir }) => new ModelStore(project).export(modelId, exportTarget(project.path, dir) ?? dir),
      deleteModel: async ({ modelId }) => {
        await new ModelStore(project).remove(modelId);
        emit('models:changed', { modelIds: [modelId] });
      },
      scanCapture: async ({ captureId, modelId, threshold }) => {
        const capture = await project.capture(captureId);
        return {
          jobId: this.jobs.start('scan', `scan ${capture.fileName}`, (ctx) => scanCapture(project, capture, { modelId, threshold }, ctx), (r) =>
            emit('scans:changed', { captureId, scanId: r.id }),
          ),
        };
      },
      listScans: ({ captureId }) => listScans(project, captureId),
      scanUsage: ({ scanId }) => scanUsage(project, scanId),
      deleteScan: async ({ scanId }) => {
        // exports read scans (windows, reports, flows with a scan's columns, the trail): none may lose its scan midway
        const exports = this.jobs.list().filter((j) => j.kind === 'export');
        if (exports.length) {
          throw new MindflowError('busy', `${exports.length === 1 ? 'an export is' : `${exports.length} exports are`} running (${exports[0]!.label}${exports.length > 1 ? ', …' : ''}): let ${exports.length === 1 ? 'it' : 'them'} finish or cancel ${exports.length === 1 ? 'it' : 'them'} before deleting a scan`);
        }
        const r = await deleteScan(project, scanId);
        emit('scans:changed', { captureId: r.captureId, scanId });
        return r;
      },
      flaggedWindows: (q) => listWindows(project, q),
      setVerdict: async ({ scanId, windowIds, verdict, reason }) => {
        const r = await setVerdict(project, scanId, windowIds, verdict, reason);
        emit('verdicts:changed', { scanId, windowIds });
        return r;
      },
      setVerdictMatching: async ({ verdict, reason, sort: _sort, ...filter }) => {
        const r = await setVerdictMatching(project, filter, verdict, reason);
        emit('verdicts:changed', { scanId: filter.scanId, windowIds: [] });
        return r;
      },
      carrySources: ({ scanId }) => carrySources(project, scanId),
      otherVerdicts: ({ scanId, windowId }) => project.withConnection((c) => otherVerdicts(c, scanId, windowId)),
      carryVerdicts: async ({ fromScanId, toScanId }) => {
        const r = await carryVerdicts(project, fromScanId, toScanId);
        if (r.carried) emit('verdicts:changed', { scanId: toScanId, windowIds: r.windowIds });
        return r;
      },
      undoVerdict: async () => {
        const r = await undoVerdict(project);
        if (r.scanId !== null) emit('verdicts:changed', { scanId: r.scanId, windowIds: [] });
        return r;
      },
      auditLog: (q) => auditLog(project, q),
      addNote: async ({ scanId, windowId, text }) => {
        const note = await addNote(project, scanId, windowId, text);
        emit('notes:changed', { scanId, windowId });
        return note;
      },
      windowDetail: ({ scanId, windowId, context }) => windowDetail(project, (id) => project.capture(id), scanId, windowId, context),
      explainWindow: ({ scanId, windowId }) => this.explainer.explain(project, (id) => project.capture(id), scanId, windowId),
      thresholdCurve: ({ scanId }) => thresholdCurve(project, (id) => project.capture(id), scanId),
      listIncidents: () => listIncidents(project),
      getIncident: ({ id }) => getIncident(project, id),
      incidentWindows: ({ id }) => incidentWindows(project, id),
      createIncident: async (args) => changed(await createIncident(project, args)),
      updateIncident: async ({ id, ...patch }) => changed(await updateIncident(project, id, patch)),
      addIncidentWindows: async ({ id, windowIds }) => changed(await addIncidentWindows(project, id, windowIds)),
      removeIncidentWindows: async ({ id, windowIds }) => changed(await removeIncidentWindows(project, id, windowIds)),
      addIncidentNote: async ({ id, text }) => changed(await addIncidentNote(project, id, text)),
      deleteIncident: async ({ id }) => {
        await deleteIncident(project, id);
        emit('incidents:changed', { incidentIds: [id] });
      },
      relatedIncidents: ({ id }) => relatedIncidents(project, id),
      incidentMoveTargets: ({ id }) => incidentMoveTargets(project, id),
      moveIncident: async ({ id, toScanId }) => {
        const r = await moveIncident(project, id, toScanId);
        if (r.carried) emit('verdicts:changed', { scanId: toScanId, windowIds: [] });
        changed(r.incident);
        return r;
      },
      exportReport: async ({ id, format, path: typed }) => {
        await getIncident(project, id);
        const path = exportTarget(project.path, typed);
        return {
          jobId: this.jobs.start('export', `export incident #${id} as ${format}`, (ctx) =>
            exportReport(project, id, format, path, ctx, {
              explain: (scanId, windowId) => this.explainer.explain(project, (cid) => project.capture(cid), scanId, windowId),
              appVersion: APP_VERSION,
              printPdf: this.options.printPdf,
              urlFor: this.options.reportUrl,
            }).then((r) => this.exported(r)),
          ),
        };
      },
      findHost: ({ host }) => findHost(project, host),
      exportAudit: async ({ scanId, format, path: typed }) => {
        const path = exportTarget(project.path, typed);
        if (scanId !== undefined) await project.withConnection((c) => scanMeta(c, scanId));
        const what = scanId === undefined ? 'the audit trail' : `the audit trail of scan #${scanId}`;
        return {
          jobId: this.jobs.start('export', `export ${what} as ${format}`, (ctx) =>
            exportAudit(project, { scanId, format, path }, ctx, this.options.reportUrl).then((r) => this.exported(r)),
          ),
        };
      },
      exportWindows: async ({ format, path: typed, ...query }) => {
        const path = exportTarget(project.path, typed);
        await project.withConnection((c) => scanMeta(c, query.scanId));
        return {
          jobId: this.jobs.start('export', `export the windows of scan #${query.scanId} as ${format}`, (ctx) =>
            exportWindows(project, { ...query, format, path }, ctx, this.options.reportUrl).then((r) => this.exported(r)),
          ),
        };
      },
      exportFlows: async ({ captureId, filter, sort, format, columns, path: typed }) => {
        await project.capture(captureId);
        const path = exportTarget(project.path, typed);
        return {
          jobId: this.jobs.start('export', `export flows of capture #${captureId} as ${format}`, (ctx) =>
            exportFlows(project, { captureId, filter, sort, format, columns, path }, ctx, this.options.reportUrl).then((r) => this.exported(r)),
          ),
        };
      },
      revealReport: async ({ path, show }) => {
        if (!this.options.reveal) return false;
        // only what this session exported: opening a file runs whatever the system opens it with
        if (!this.exportedPaths.has(resolve(path))) throw new MindflowError('bad-args', 'only a file exported in this session can be opened from the workbench');
        return this.options.reveal(resolve(path), show);
      },
      pickCaptureFile: async () => (this.options.pickFile ? this.options.pickFile() : null),
      pickExportFile: async ({ fileName }) => (this.options.pickSaveFile ? this.options.pickSaveFile(join(reportsDir(project), fileName)) : null),
      pickModelPackage: async ({ export: exporting, suggestedName }) => {
        if (!this.options.pickPackage) return null;
        return this.options.pickPackage(exporting, join(dirname(resolve(project.path)), packageFolderName(suggestedName ?? 'model')));
      },
      recentProjects: async () => (this.options.projects ? this.options.projects.recent() : []),
      projectsBeside: async () => projectsBeside(project.path),
      forgetProject: async ({ path }) => this.options.projects?.forget(path),
      openProject: async ({ path, create }) => {
        if (!this.options.projects) throw new MindflowError('unavailable', 'this workbench has one project; start it with another to open that');
        return this.options.projects.open(path, create ?? false);
      },
      projectSpace: () => project.space(),
      compactProject: async () => {
        if (!this.options.projects) throw new MindflowError('unavailable', 'compact this project with "mindflow compact --project P" while no workbench has it open');
        return this.options.projects.compact();
      },
      pickProjectFile: async ({ create }) => (this.options.projects?.pick ? this.options.projects.pick(create) : null),
    };
  }

  private exported<R extends { path: string }>(result: R): R {
    this.exportedPaths.add(resolve(result.path));
    return result;
  }

  close(): void {
    this.jobs.cancelAll();
    void this.explainer.close();
    this.project.close();
  }

  /** Closes once no job runs and the queries in flight are done (a session switching projects). */
  async closeWhenIdle(): Promise<void> {
    this.jobs.cancelAll();
    await this.explainer.close();
    await this.project.closeWhenIdle();
  }
}

import type { AuditExport, Evaluation, FlowExport, ImportResult, JobFinished, ReportExport, ScanSummary, TrainResult, WindowExport } from '../../../preload/contract';

/**
 * A finished job's result, narrowed by the job's kind: the contract carries one union, and the
 * kind says which member it is.
 */
export function importResult(f: JobFinished): ImportResult | null {
  return f.ok && f.kind === 'import' && f.result && 'capture' in f.result ? f.result : null;
}

export function trainResult(f: JobFinished): TrainResult | null {
  return f.ok && f.kind === 'train' && f.result && 'model' in f.result ? f.result : null;
}

export function evaluationResult(f: JobFinished): Evaluation | null {
  return f.ok && f.kind === 'evaluate' && f.result && 'metrics' in f.result && 'modelId' in f.result && !('flaggedWindows' in f.result) ? (f.result as Evaluation) : null;
}

export function scanResult(f: JobFinished): ScanSummary | null {
  return f.ok && f.kind === 'scan' && f.result && 'flaggedWindows' in f.result ? f.result : null;
}

export function exportResult(f: JobFinished): ReportExport | null {
  return f.ok && f.kind === 'export' && f.result && 'incidentId' in f.result ? f.result : null;
}

export function flowExportResult(f: JobFinished): FlowExport | null {
  return f.ok && f.kind === 'export' && f.result && 'rows' in f.result && 'captureId' in f.result ? f.result : null;
}

export function windowExportResult(f: JobFinished): WindowExport | null {
  return f.ok && f.kind === 'export' && f.result && 'rows' in f.result && !('captureId' in f.result) && 'scanId' in f.result ? (f.result as WindowExport) : null;
}

export function auditExportResult(f: JobFinished): AuditExport | null {
  return f.ok && f.kind === 'export' && f.result && 'entries' in f.result ? f.result : null;
}

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nativeLabel, nvidiaGpu } from '../../../main/core/model/gpu.ts';
import { backendStatusOf } from '../../../main/core/detector/service.ts';

const dirs: string[] = [];
function fakeProc(version: string | null, gpus: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mf-nvidia-'));
  dirs.push(dir);
  if (version !== null) writeFileSync(join(dir, 'version'), version);
  for (const [id, info] of Object.entries(gpus)) {
    mkdirSync(join(dir, 'gpus', id), { recursive: true });
    writeFileSync(join(dir, 'gpus', id, 'information'), info);
  }
  return dir;
}

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('nvidiaGpu', () => {
  it('is null where the kernel has no NVIDIA driver', () => {
    expect(nvidiaGpu(join(tmpdir(), 'mf-no-such-driver-dir'))).toBeNull();
  });
  it('reads the open kernel module’s driver version and each GPU’s model', () => {
    const dir = fakeProc(
      'NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.159.04  Release Build  (dvs-builder@U16-I3-B03-4-3)  Thu Oct 23 2025\nGCC version:  gcc version 12.2.0\n',
      {
        '0000:18:00.0': 'Model: \t\t NVIDIA H200\nIRQ:   \t\t 220\nGPU UUID: \t GPU-1\n',
        '0000:2a:00.0': 'Model: \t\t NVIDIA H200\nIRQ:   \t\t 221\n',
      },
    );
    expect(nvidiaGpu(dir)).toEqual({ models: ['NVIDIA H200', 'NVIDIA H200'], driver: '580.159.04' });
  });
  it('reads the proprietary module’s version line, and copes without per-GPU entries', () => {
    const dir = fakeProc('NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.183.01  Sun May 12 19:39:15 UTC 2024\n', {});
    expect(nvidiaGpu(dir)).toEqual({ models: [], driver: '535.183.01' });
  });
  it('a driver folder without a version file still counts as a GPU, driver unknown', () => {
    const dir = fakeProc(null, { '0000:01:00.0': 'Model: \t\t NVIDIA RTX A4000\n' });
    expect(nvidiaGpu(dir)).toEqual({ models: ['NVIDIA RTX A4000'], driver: null });
  });
});

describe('nativeLabel', () => {
  it('says CUDA only when libtensorflow found a GPU device, and says the CPU runs it otherwise', () => {
    expect(nativeLabel('gpu', { isUsingGpuDevice: true })).toBe('tfjs-node-gpu (CUDA)');
    const cpu = nativeLabel('gpu', { isUsingGpuDevice: false });
    expect(cpu).toBe('tfjs-node-gpu (no CUDA device found: TensorFlow runs on the CPU)');
    expect(nativeLabel('node', { isUsingGpuDevice: false })).toBe('tfjs-node (native CPU)');
    const s = backendStatusOf({ kind: 'gpu', name: 'tensorflow', label: cpu }, { models: ['NVIDIA H200'], driver: '580.159.04' });
    expect(s.device).toBe(cpu);
    expect(s.notes[0]).toBe('libtensorflow 2.9.1 found no GPU it can use: it needs the CUDA 11.2 and cuDNN 8.1 libraries on the library path');
  });
});

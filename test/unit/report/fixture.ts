/**
 * Incident report fixtures: a realistic NF-BoT-IoT incident (DoS and Reconnaissance windows from
 * the bots .147/.149 against 192.168.100.3) and a crafted one whose capture values and notes are
 * hostile (HTML, Markdown, CSV formulas, STIX pattern breakers).
 */
import {
  REPORT_SCHEMA_VERSION,
  type IncidentReport,
  type ReportFlow,
  type ReportWindow,
} from '../../../main/core/report/model.ts';

const CLASSES = ['Benign', 'DDoS', 'DoS', 'Reconnaissance', 'Theft'];

function probsFor(predicted: string, confidence: number): Record<string, number> {
  const rest = (1 - confidence) / (CLASSES.length - 1);
  return Object.fromEntries(CLASSES.map((c) => [c, Number((c === predicted ? confidence : rest).toFixed(6))]));
}

interface WindowSpec {
  id: string;
  class: string;
  firstFlow: number;
  src: string[];
  dst: string;
  ports: number[];
  protocol: number;
  tcpFlags: number;
  inBytes: number;
  confidences: number[];
  label: string | null;
  verdict: ReportWindow['verdict'];
  verdictReason: string | null;
  explanation: string;
  topFeatures: { name: string; weight: number }[];
}

function makeWindow(s: WindowSpec): ReportWindow {
  const flowRows: ReportFlow[] = s.confidences.map((confidence, i) => ({
    flowId: s.firstFlow + i,
    src: s.src[i % s.src.length] ?? '',
    sport: 40000 + ((s.firstFlow * 7 + i * 131) % 25000),
    dst: s.dst,
    dport: s.ports[i % s.ports.length] ?? 0,
    protocol: s.protocol,
    l7: s.protocol === 6 && s.ports[i % s.ports.length] === 80 ? 7 : 0,
    inBytes: s.inBytes,
    outBytes: s.tcpFlags === 22 ? 40 : 0,
    inPkts: s.tcpFlags === 2 ? 5 : 1,
    outPkts: s.tcpFlags === 22 ? 1 : 0,
    tcpFlags: s.tcpFlags,
    durationMs: s.tcpFlags === 2 ? 4294967 : 0,
    start: null,
    end: null,
    label: s.label,
    predicted: s.class,
    confidence,
    probs: probsFor(s.class, confidence),
  }));
  const mean = s.confidences.reduce((a, b) => a + b, 0) / s.confidences.length;
  return {
    id: s.id,
    class: s.class,
    firstFlow: s.firstFlow,
    lastFlow: s.firstFlow + s.confidences.length - 1,
    flows: s.confidences.length,
    peak: Math.max(...s.confidences),
    mean: Number(mean.toFixed(6)),
    srcHosts: [...new Set(s.src)],
    dstHosts: [s.dst],
    dstPorts: [...new Set(s.ports)].sort((a, b) => a - b),
    start: null,
    end: null,
    verdict: s.verdict,
    verdictReason: s.verdictReason,
    verdictBy: s.verdict ? 'a.rivera' : null,
    verdictAt: s.verdict ? '2025-03-14T10:22:31.000Z' : null,
    explanation: s.explanation,
    topFeatures: s.topFeatures,
    flowRows,
  };
}

export function sampleIncidentReport(): IncidentReport {
  const windows: ReportWindow[] = [
    makeWindow({
      id: 'w-1201',
      class: 'Reconnaissance',
      firstFlow: 1201,
      src: ['192.168.100.147'],
      dst: '192.168.100.3',
      ports: [80, 1883, 1880, 5432, 21, 8180, 22, 443],
      protocol: 6,
      tcpFlags: 22,
      inBytes: 44,
      confidences: [0.981, 0.992, 0.995, 0.989, 0.997, 0.993, 0.99, 0.985],
      label: 'Reconnaissance',
      verdict: 'tp',
      verdictReason: 'Sequential SYN+RST+ACK probes to eight service ports on .3: a port scan.',
      explanation: '8 consecutive flows from 192.168.100.147 to 8 different ports on 192.168.100.3 with TCP flags 22 and no payload, the pattern of a TCP port scan.',
      topFeatures: [
        { name: 'TCP_FLAGS', weight: 0.41 },
        { name: 'IN_BYTES', weight: 0.22 },
        { name: 'FLOW_DURATION_MILLISECONDS', weight: 0.17 },
      ],
    }),
    makeWindow({
      id: 'w-4102',
      class: 'DoS',
      firstFlow: 4102,
      src: ['192.168.100.149'],
      dst: '192.168.100.3',
      ports: [80],
      protocol: 6,
      tcpFlags: 2,
      inBytes: 280,
      confidences: [0.94, 0.962, 0.958, 0.971, 0.966, 0.949, 0.975, 0.969, 0.955, 0.961, 0.972, 0.968],
      label: 'DoS',
      verdict: 'tp',
      verdictReason: 'SYN flood against the web server on .3:80.',
      explanation: '12 consecutive TCP flows from 192.168.100.149 to 192.168.100.3:80 carrying only SYN flags, about 280 bytes each: a SYN flood.',
      topFeatures: [
        { name: 'TCP_FLAGS', weight: 0.38 },
        { name: 'IN_PKTS', weight: 0.25 },
        { name: 'PROTOCOL', weight: 0.12 },
      ],
    }),
    makeWindow({
      id: 'w-4530',
      class: 'DoS',
      firstFlow: 4530,
      src: ['192.168.100.147', '192.168.100.149'],
      dst: '192.168.100.3',
      ports: [80],
      protocol: 6,
      tcpFlags: 2,
      inBytes: 280,
      confidences: [0.71, 0.78, 0.82, 0.76, 0.74, 0.8],
      label: 'DoS',
      verdict: 'review',
      verdictReason: 'Lower confidence; DDoS and DoS look alike in these features.',
      explanation: '6 TCP SYN flows from two bots to 192.168.100.3:80; the model is less sure (mean 0.77) because DoS and DDoS overlap.',
      topFeatures: [
        { name: 'TCP_FLAGS', weight: 0.33 },
        { name: 'IN_BYTES', weight: 0.29 },
      ],
    }),
    makeWindow({
      id: 'w-9007',
      class: 'Reconnaissance',
      firstFlow: 9007,
      src: ['192.168.100.3'],
      dst: '192.168.100.1',
      ports: [53],
      protocol: 17,
      tcpFlags: 0,
      inBytes: 62,
      confidences: [0.66, 0.7, 0.68, 0.64],
      label: 'Benign',
      verdict: 'fp',
      verdictReason: 'DNS lookups from .3 to the gateway: benign.',
      explanation: '4 short UDP flows from 192.168.100.3 to 192.168.100.1:53 resembled scan probes.',
      topFeatures: [{ name: 'IN_BYTES', weight: 0.3 }],
    }),
  ];
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    incident: {
      id: 'inc-0007',
      title: 'Bot scan and SYN flood against 192.168.100.3',
      status: 'contained',
      severity: 'high',
      tlp: 'AMBER',
      summary:
        'Two IoT bots (192.168.100.147 and 192.168.100.149) scanned the service ports of 192.168.100.3 and then flooded its web server on port 80 with TCP SYN packets.\n\nThe bots were isolated at the switch; the web server recovered.',
      analyst: 'a.rivera',
      createdAt: '2025-03-14T10:05:00.000Z',
      updatedAt: '2025-03-14T11:40:12.000Z',
      notes: [
        { at: '2025-03-14T10:30:00.000Z', author: 'a.rivera', text: 'Port scan precedes the flood by about 2,900 flows in capture order.' },
        { at: '2025-03-14T11:38:00.000Z', author: 'j.chen', text: 'Bots .147 and .149 isolated on switch port 12 and 14.' },
      ],
    },
    capture: {
      id: 'cap-2',
      fileName: 'nf-bot-iot-v2-sample-a.csv.gz',
      sha256: '9f1ac44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      sizeBytes: 3_612_884,
      schemaVersion: 'v2',
      rows: 278_781,
      order: 'file order',
    },
    detection: {
      modelName: 'cnn-bilstm-v2-w10',
      modelId: 'model-3f9c2a',
      appVersion: '0.1.0',
      backend: 'tensorflow (CUDA)',
      threshold: 0.6,
      scanId: 'scan-12',
      scannedAt: '2025-03-14T09:58:41.512Z',
      metrics: {
        scope: 'capture',
        classes: CLASSES,
        accuracy: 0.9861,
        macroF1: 0.9312,
        weightedF1: 0.9858,
        perClass: [
          { name: 'Benign', precision: 0.9612, recall: 0.9433, f1: 0.9522, support: 257 },
          { name: 'DDoS', precision: 0.9874, recall: 0.9901, f1: 0.9887, support: 16910 },
          { name: 'DoS', precision: 0.9893, recall: 0.9862, f1: 0.9877, support: 33401 },
          { name: 'Reconnaissance', precision: 0.9951, recall: 0.9968, f1: 0.9959, support: 5181 },
          { name: 'Theft', precision: 0.75, recall: 0.7143, f1: 0.7317, support: 7 },
        ],
        confusion: [
          [242, 3, 4, 8, 0],
          [1, 16743, 160, 6, 0],
          [2, 210, 32940, 249, 0],
          [4, 3, 9, 5165, 0],
          [1, 0, 0, 1, 5],
        ],
      },
    },
    windows,
    auditTrail: [
      { at: '2025-03-14T10:20:05.000Z', analyst: 'j.chen', action: 'verdict', windowId: 'w-9007', previous: null, value: 'tp', reason: null, undone: true },
      { at: '2025-03-14T10:21:40.000Z', analyst: 'j.chen', action: 'undo', windowId: 'w-9007', previous: 'tp', value: null, reason: null, undone: false },
      { at: '2025-03-14T10:22:31.000Z', analyst: 'a.rivera', action: 'verdict', windowId: 'w-1201', previous: null, value: 'tp', reason: 'SYN flood from known bots', undone: false },
      { at: '2025-03-14T10:22:31.000Z', analyst: 'a.rivera', action: 'verdict', windowId: 'w-9007', previous: null, value: 'fp', reason: 'backup job', undone: false },
      { at: '2025-03-14T10:25:02.000Z', analyst: 'a.rivera', action: 'note', windowId: 'w-4530', previous: null, value: 'Same scanner as w-1201?', reason: null, undone: false },
    ],
    relatedIncidents: [
      {
        id: 'inc-0009',
        title: 'Same bots against .5 on Tuesday',
        status: 'open',
        severity: 'medium',
        tlp: 'GREEN',
        scanId: 'scan-4',
        captureFileName: 'tuesday.csv.gz',
        sharedHosts: [
          { host: '192.168.100.147', here: 'source', there: 'source' },
          { host: '192.168.100.149', here: 'source', there: 'source' },
          { host: '192.168.100.3', here: 'destination', there: 'source' },
        ],
        sharedCount: 3,
      },
      { id: 'inc-0011', title: null, status: 'closed', severity: 'high', tlp: 'RED', scanId: 'scan-2', captureFileName: 'monday.csv', sharedHosts: [{ host: '192.168.100.3', here: 'destination', there: 'destination' }], sharedCount: 1 },
    ],
    generatedAt: '2025-03-14T11:45:00.000Z',
    appVersion: '0.1.0',
  };
}

/** Hostile strings: each would do harm if a builder wrote it raw into its format. */
export const HOSTILE = {
  script: '<script>alert(1)</script>',
  attr: '" onmouseover="alert(1)" x="',
  style: '</style><img src=x onerror=alert(1)>',
  mdLink: '[click](javascript:alert(1))',
  mdImage: '![x](https://evil.example/p.png)',
  backticks: '`rm -rf /` ``x``',
  pipes: 'a|b||c',
  csvCmd: "=cmd|' /C calc'!A0",
  csvPlus: '+SUM(1+1)',
  csvMinus: '-2+3',
  csvAt: '@SUM(A1)',
  csvTab: '\t=1+1',
  csvCr: '\r=1+1',
  stixQuote: "1.2.3.4' OR [x:y = 'z",
  backslash: 'C:\\evil\\\\path',
  newline: 'line1\nline2\r\n# heading',
  url: 'https://evil.example/x',
} as const;

/** The sample incident with hostile values in hosts, class names, labels, notes and titles. */
export function craftedIncidentReport(): IncidentReport {
  const r = sampleIncidentReport();
  r.incident.title = `${HOSTILE.script} ${HOSTILE.mdLink}`;
  r.incident.summary = `${HOSTILE.style}\n${HOSTILE.mdImage}\n${HOSTILE.backticks}\n${HOSTILE.newline}\n${HOSTILE.url}`;
  r.incident.analyst = HOSTILE.attr;
  r.incident.notes.push(
    { at: '2025-03-14T11:41:00.000Z', author: HOSTILE.csvAt, text: `${HOSTILE.csvCmd} ${HOSTILE.pipes} ${HOSTILE.script}` },
    { at: '2025-03-14T11:42:00.000Z', author: 'x', text: HOSTILE.stixQuote + HOSTILE.backslash },
  );
  r.capture.fileName = `${HOSTILE.script}.csv`;
  const w0 = r.windows[0]!;
  const w1 = r.windows[1]!;
  w0.class = HOSTILE.csvCmd;
  w0.srcHosts = [HOSTILE.script];
  w0.explanation = `${HOSTILE.mdLink} ${HOSTILE.style}`;
  w0.verdictReason = HOSTILE.backticks;
  w0.topFeatures = [{ name: HOSTILE.attr, weight: 0.5 }];
  for (const f of w0.flowRows) {
    f.src = HOSTILE.script;
    f.dst = HOSTILE.csvPlus;
    f.label = HOSTILE.mdLink;
    f.predicted = HOSTILE.csvCmd;
    f.probs = { [HOSTILE.csvCmd]: f.confidence, [HOSTILE.style]: 1 - f.confidence };
  }
  w0.dstHosts = [HOSTILE.csvPlus];
  w1.srcHosts = [HOSTILE.stixQuote, HOSTILE.csvMinus];
  w1.dstHosts = [HOSTILE.backslash, HOSTILE.csvAt];
  w1.flowRows.forEach((f, i) => {
    f.src = i % 2 === 0 ? HOSTILE.stixQuote : HOSTILE.csvMinus;
    f.dst = i % 3 === 0 ? HOSTILE.backslash : i % 3 === 1 ? HOSTILE.csvAt : `${HOSTILE.csvTab}`;
    f.label = i % 2 === 0 ? HOSTILE.pipes : HOSTILE.csvCr;
  });
  r.auditTrail.push(
    { at: '2025-03-14T11:43:00.000Z', analyst: HOSTILE.csvCmd, action: 'note', windowId: w0.id, previous: null, value: `${HOSTILE.script} ${HOSTILE.mdLink} ${HOSTILE.pipes}`, reason: null, undone: false },
    { at: '2025-03-14T11:44:00.000Z', analyst: HOSTILE.attr, action: 'verdict', windowId: w1.id, previous: 'tp', value: 'review', reason: `${HOSTILE.style} ${HOSTILE.newline}`, undone: false },
  );
  r.relatedIncidents[0]!.title = `${HOSTILE.script} ${HOSTILE.mdLink} ${HOSTILE.pipes}`;
  r.relatedIncidents[0]!.captureFileName = HOSTILE.attr;
  r.relatedIncidents[0]!.sharedHosts[0]!.host = HOSTILE.style;
  w1.flowRows[5]!.dst = HOSTILE.url;
  w1.flowRows[6]!.dst = HOSTILE.newline;
  w1.flowRows[7]!.dst = HOSTILE.mdImage;
  return r;
}

/**
 * The sample incident as if its capture were v3: stored in time order, each window with its
 * flows' start and end (a flow every 40 ms from 2021-06-12 01:00 UTC, flows lasting 15 ms).
 */
export function timedIncidentReport(): IncidentReport {
  const r = sampleIncidentReport();
  r.capture.order = 'FLOW_START_MILLISECONDS';
  r.capture.schemaVersion = 'v3';
  const t0 = Date.UTC(2021, 5, 12, 1, 0, 0);
  for (const w of r.windows) {
    w.start = new Date(t0 + w.firstFlow * 40).toISOString();
    w.end = new Date(t0 + w.lastFlow * 40 + 15).toISOString();
    for (const f of w.flowRows) {
      f.start = new Date(t0 + f.flowId * 40).toISOString();
      f.end = new Date(t0 + f.flowId * 40 + 15).toISOString();
    }
  }
  return r;
}

// Reads what the bench measures from /proc: per-core busy time, a process tree's CPU time and RSS.
import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second of /proc times (USER_HZ); 100 on every Linux the bench targets. */
export const CLOCK_TICKS = 100;

export interface CpuTimes {
  /** Busy seconds of all cores together (everything but idle and iowait). */
  readonly busy: number;
  /** Busy seconds per core, by core index. */
  readonly perCore: readonly number[];
}

/** Parses /proc/stat text into busy seconds, all cores and per core. */
export function parseProcStat(text: string): CpuTimes {
  let busy = 0;
  const perCore: number[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('cpu')) continue;
    const fields = line.trim().split(/\s+/);
    const label = fields[0]!;
    const n = fields.slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already inside user)
    const total = n.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = (n[3] ?? 0) + (n[4] ?? 0);
    const b = (total - idle) / CLOCK_TICKS;
    if (label === 'cpu') busy = b;
    else perCore[Number(label.slice(3))] = b;
  }
  return { busy, perCore };
}

export function readCpuTimes(): CpuTimes {
  return parseProcStat(readFileSync('/proc/stat', 'latin1'));
}

export interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  /** utime + stime of the process (all its threads), seconds. */
  readonly cpu: number;
  /** cutime + cstime: CPU of children it has waited for, seconds. */
  readonly childrenCpu: number;
}

/** Parses one /proc/PID/stat line (the command name may hold spaces and parentheses). */
export function parseProcPidStat(text: string): ProcStat {
  const close = text.lastIndexOf(')');
  const pid = Number(text.slice(0, text.indexOf(' ')));
  // Fields after the name start at field 3 (state); utime is field 14.
  const f = text.slice(close + 2).trim().split(' ');
  const at = (field: number): number => Number(f[field - 3]);
  return { pid, ppid: at(4), cpu: (at(14) + at(15)) / CLOCK_TICKS, childrenCpu: (at(16) + at(17)) / CLOCK_TICKS };
}

function readPidStat(pid: number | 'self'): ProcStat | undefined {
  try {
    return parseProcPidStat(readFileSync(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return undefined; // the process has exited
  }
}

/** `pid` and all its live descendants. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const st = readPidStat(Number(name));
    if (!st) continue;
    let list = children.get(st.ppid);
    if (!list) children.set(st.ppid, (list = []));
    list.push(st.pid);
  }
  const out: number[] = [];
  const stack = [pid];
  while (stack.length > 0) {
    const p = stack.pop()!;
    out.push(p);
    for (const k of children.get(p) ?? []) stack.push(k);
  }
  return out;
}

/** VmRSS in bytes from /proc/PID/status text, 0 when absent (a zombie). */
export function parseVmRss(text: string): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(text);
  return m ? Number(m[1]) * 1024 : 0;
}

export interface TreeSample {
  /** CPU seconds of the processes alive now. */
  readonly cpu: number;
  /** Sum of RSS, bytes. */
  readonly rss: number;
  readonly pids: readonly number[];
}

/** CPU and RSS of a process tree right now. */
export function sampleTree(rootPid: number): TreeSample {
  const pids = processTree(rootPid);
  let cpu = 0;
  let rss = 0;
  for (const pid of pids) {
    cpu += readPidStat(pid)?.cpu ?? 0;
    try {
      rss += parseVmRss(readFileSync(`/proc/${pid}/status`, 'latin1'));
    } catch {
      // exited between the scan and the read
    }
  }
  return { cpu, rss, pids };
}

/** This process's own CPU and that of the children it has reaped (a finished load generator). */
export function selfCpu(): { self: number; children: number } {
  const st = readPidStat('self')!;
  return { self: st.cpu, children: st.childrenCpu };
}

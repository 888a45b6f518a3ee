// wasi_snapshot_preview1 for proxy-wasm: logging via stdout/stderr, clocks, randomness, environment; the rest as Envoy answers.
import { randomFillSync } from 'node:crypto';
import { WasiErrno } from './abi.js';
import { WASI_SIGNATURES } from './host-signatures.js';
import type { WasmVm } from './vm.js';

type Fn = (...args: never[]) => number | void;

/** Largest random_get request (Envoy's limit). */
const RANDOM_MAX = 64 * 1024;

export class WasiExit extends Error {
  constructor(readonly code: number) {
    super(`the module called proc_exit(${code})`);
  }
}

export function wasiImports(vm: WasmVm): Record<string, Fn> {
  const { Success, Badf, Fault, Inval, Nosys, Notsup, Noent, Notdir } = WasiErrno;
  const stdio = (fd: number) => fd === 1 || fd === 2;
  const envEntries = () => [...vm.options.env].map(([k, v]) => Buffer.from(`${k}=${v}\0`, 'utf8'));

  const writev = (fd: number, iovs: number, iovsLen: number): number | string => {
    if (!stdio(fd)) return Badf;
    let s = '';
    for (let i = 0; i < iovsLen >>> 0; i++) {
      const p = vm.getU32(iovs + i * 8);
      const n = vm.getU32(iovs + i * 8 + 4);
      if (p === undefined || n === undefined) return Fault;
      if (n === 0) continue;
      const part = vm.utf8(p, n);
      if (part === undefined) return Fault;
      s += part;
    }
    return s;
  };
  const emit = (fd: number, s: string) => {
    const msg = s.endsWith('\n') ? s.slice(0, -1) : s;
    if (msg.length === 0) return;
    const fields = { plugin: vm.current?.root.plugin.name ?? vm.options.pluginName, fd };
    if (fd === 1) vm.log.info(fields, msg);
    else vm.log.error(fields, msg);
  };

  const impl: Record<string, Fn> = {
    fd_write: (fd: number, iovs: number, iovsLen: number, nwritten: number) => {
      const r = writev(fd, iovs, iovsLen);
      if (typeof r === 'number') return r;
      emit(fd, r);
      return vm.setU32(nwritten, Buffer.byteLength(r, 'utf8')) ? Success : Fault;
    },
    fd_pwrite: (fd: number, iovs: number, iovsLen: number, _offset: bigint, nwritten: number) => {
      const r = writev(fd, iovs, iovsLen);
      if (typeof r === 'number') return r;
      emit(fd, r);
      return vm.setU32(nwritten, Buffer.byteLength(r, 'utf8')) ? Success : Fault;
    },
    fd_read: () => Nosys,
    fd_pread: () => Nosys,
    fd_seek: () => Notsup,
    fd_close: () => Success,
    fd_fdstat_get: (fd: number, statPtr: number) => {
      if (!stdio(fd)) return Badf;
      const s = vm.slice(statPtr, 24);
      if (!s) return Fault;
      s.fill(0);
      // fs_filetype = character device; fs_rights_base = FD_WRITE
      s[0] = 2;
      new DataView(s.buffer, s.byteOffset, 24).setBigUint64(8, 64n, true);
      return Success;
    },
    fd_fdstat_set_flags: () => Nosys,
    fd_fdstat_set_rights: (fd: number) => (stdio(fd) ? Success : Badf),
    fd_filestat_get: () => Badf,
    fd_filestat_set_size: (fd: number) => (stdio(fd) ? Success : Badf),
    fd_filestat_set_times: (fd: number) => (stdio(fd) ? Success : Badf),
    fd_advise: () => Success,
    fd_allocate: (fd: number) => (stdio(fd) ? Success : Badf),
    fd_datasync: (fd: number) => (stdio(fd) ? Success : Badf),
    fd_sync: (fd: number) => (stdio(fd) ? Success : Badf),
    fd_tell: (fd: number, ptr: number) => {
      if (!stdio(fd)) return Badf;
      return vm.setU64(ptr, 0n) ? Success : Fault;
    },
    fd_readdir: (_fd: number, _buf: number, _len: number, _cookie: bigint, ptr: number) => (vm.setU32(ptr, 0) ? Notdir : Fault),
    fd_renumber: (fd: number, to: number) => (stdio(fd) && stdio(to) ? Notsup : Badf),
    fd_prestat_get: () => Badf,
    fd_prestat_dir_name: () => Nosys,
    path_open: () => Noent,
    path_create_directory: () => Notsup,
    path_filestat_get: () => Notsup,
    path_filestat_set_times: () => Notsup,
    path_link: () => Notsup,
    path_readlink: (_fd: number, _p: number, _pl: number, _b: number, _bl: number, ptr: number) => (vm.setU32(ptr, 0) ? Notsup : Fault),
    path_remove_directory: () => Notsup,
    path_rename: () => Notsup,
    path_symlink: () => Notsup,
    path_unlink_file: () => Notsup,
    sock_accept: (_fd: number, _flags: number, ptr: number) => (vm.setU32(ptr, 0) ? Notsup : Fault),
    sock_recv: (_fd: number, _d: number, _l: number, _f: number, ptr0: number, ptr1: number) => (vm.setU32(ptr0, 0) && vm.inBounds(ptr1 >>> 0, 2) ? Notsup : Fault),
    sock_send: (_fd: number, _d: number, _l: number, _f: number, ptr: number) => (vm.setU32(ptr, 0) ? Notsup : Fault),
    sock_shutdown: () => Notsup,
    poll_oneoff: (_in: number, _out: number, _n: number, neventsPtr: number) => (vm.setU32(neventsPtr, 0) ? Success : Fault),
    sched_yield: () => Success,
    proc_exit: (code: number) => {
      throw new WasiExit(code);
    },
    proc_raise: () => Nosys,
    args_sizes_get: (argcPtr: number, sizePtr: number) => (vm.setU32(argcPtr, 0) && vm.setU32(sizePtr, 0) ? Success : Fault),
    args_get: () => Success,
    environ_sizes_get: (countPtr: number, sizePtr: number) => {
      const e = envEntries();
      return vm.setU32(countPtr, e.length) && vm.setU32(sizePtr, e.reduce((n, b) => n + b.length, 0)) ? Success : Fault;
    },
    environ_get: (arrayPtr: number, bufPtr: number) => {
      let a = arrayPtr >>> 0;
      let b = bufPtr >>> 0;
      for (const entry of envEntries()) {
        if (!vm.setU32(a, b)) return Fault;
        const dst = vm.slice(b, entry.length);
        if (!dst) return Fault;
        dst.set(entry);
        a += 4;
        b += entry.length;
      }
      return Success;
    },
    clock_time_get: (id: number, _precision: bigint, ptr: number) => {
      let ns: bigint;
      if (id === 0) ns = vm.clock.wallNs();
      else if (id === 1) ns = vm.clock.monotonicNs();
      else return Notsup;
      return vm.setU64(ptr, ns) ? Success : Fault;
    },
    clock_res_get: (id: number, ptr: number) => {
      if (id !== 0 && id !== 1) return Notsup;
      return vm.setU64(ptr, 1n) ? Success : Fault;
    },
    random_get: (ptr: number, size: number) => {
      size >>>= 0;
      if (size > RANDOM_MAX) return Inval;
      if (size === 0) return Success;
      const dst = vm.slice(ptr, size);
      if (!dst) return Fault;
      (vm.host.random ?? randomFillSync)(dst);
      return Success;
    },
  };
  for (const name of Object.keys(WASI_SIGNATURES)) if (!impl[name]) throw new Error(`wasi import ${name} has no implementation`);
  return impl;
}

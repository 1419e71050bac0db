// A real dxledgerd for the browser tests: started on free ports in a fresh
// data directory, with principals added and the FY2021 report imported by
// the dxledger CLI, as an operator would.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

async function waitForFile(path, server) {
  for (let i = 0; i < 300; ++i) {
    if (existsSync(path) && readFileSync(path, 'utf8').trim()) return readFileSync(path, 'utf8').trim();
    if (server.exitCode !== null) throw new Error(`dxledgerd exited with ${server.exitCode}`);
    await sleep(50);
  }
  throw new Error(`dxledgerd did not write ${path}`);
}

export class Ledger {
  constructor({ dxledgerd, dxledger, work }) {
    Object.assign(this, { dxledgerd, dxledger, work, data: join(work, 'data'), tokens: {} });
  }

  async start() {
    mkdirSync(this.data, { recursive: true });
    this.server = spawn(this.dxledgerd, ['--data-dir', this.data, '--listen', '127.0.0.1:0',
      '--port-file', join(this.work, 'grpc.port'), '--metrics-listen', '127.0.0.1:0',
      '--metrics-port-file', join(this.work, 'http.port')], { stdio: ['ignore', 'ignore', 'inherit'] });
    this.grpcPort = await waitForFile(join(this.work, 'grpc.port'), this.server);
    this.httpPort = await waitForFile(join(this.work, 'http.port'), this.server);
    this.url = `http://127.0.0.1:${this.httpPort}`;
  }

  cli(...args) {
    return execFileSync(this.dxledger, ['--server', `127.0.0.1:${this.grpcPort}`, ...args], { encoding: 'utf8' });
  }

  // Adds a principal through the CLI (with the admin token) and keeps its
  // token; `roles` is one role or a list.
  addPrincipal(name, roles, departments = []) {
    const out = this.cli('--data-dir', this.data, 'principal', 'add', name,
      ...[roles].flat().flatMap((role) => ['--role', role]),
      ...departments.flatMap((d) => ['--department', d]));
    const token = /token \(shown once\): (\S+)/.exec(out)[1];
    this.tokens[name] = token;
    writeFileSync(join(this.work, `${name}.token`), token, { mode: 0o600 });
    return token;
  }

  importReport(seed, as) {
    return this.cli('--token-file', join(this.work, `${as}.token`), 'import', 'report', seed, '--year', '2021');
  }

  // A call of the HTTP/JSON API with a principal's token, as a script would.
  async call(as, method, path, body) {
    const response = await fetch(`${this.url}${path}`, {
      method, headers: { Authorization: `Bearer ${this.tokens[as]}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await response.json();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  }

  stop() {
    this.server?.kill('SIGTERM');
  }
}

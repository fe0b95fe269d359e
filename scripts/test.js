#!/usr/bin/env node
/**
 * `npm test`: eslint and the type check side by side (each is one process on one core, 7 s and
 * 6 s; in turn they kept one core idle for 13 s), then jest, which uses both cores. Arguments go
 * to jest (`npm test -- test/release`). The two checks' output is printed whole, lint's first,
 * once both have ended; either failing stops before jest.
 */
const { spawn } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function captured(args) {
  return new Promise((resolve) => {
    const child = spawn(npm, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code, signal) => resolve({ args, code: code ?? (signal ? 1 : 0), output }));
  });
}

async function main() {
  const checks = await Promise.all([captured(['run', '--silent', 'lint']), captured(['run', '--silent', 'typecheck'])]);
  for (const c of checks) {
    if (c.output.trim()) process.stdout.write(c.output.endsWith('\n') ? c.output : `${c.output}\n`);
    if (c.code !== 0) console.error(`npm ${c.args.join(' ')} failed (exit ${c.code})`);
  }
  if (checks.some((c) => c.code !== 0)) return 1;
  const jest = spawn(process.execPath, [require.resolve('jest/bin/jest'), ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
  return new Promise((resolve) => jest.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

main().then((code) => (process.exitCode = code));

// Runs a wasm32-wasip1 program under Node's built-in WASI (node:wasi), the
// runner of scripts/wasm-test.sh.
//
//   node scripts/wasi-run.mjs [--dir PATH]... [--env NAME=VALUE]... FILE.wasm [ARG]...
//   node scripts/wasi-run.mjs [--dir PATH]... [--env NAME=VALUE]... --tests FILE.wasm [FILTER]
//
// --dir PATH       preopen the host directory PATH at the same path in the guest
//                  (absolute paths compiled in with env!("CARGO_MANIFEST_DIR")
//                  then work unchanged); repeatable
// --env NAME=VALUE an environment variable of the guest (it sees no other);
//                  repeatable
// --tests          FILE is a libtest binary: each of its tests (or those whose
//                  name contains FILTER) runs in a fresh instance of the module,
//                  compiled once. On wasm32-wasip1 a panic aborts the whole
//                  instance (panic=abort), so one failing test would otherwise
//                  end the run and hide every later result. Prints libtest's
//                  line for each test (ignored tests with their reason), the
//                  output of each failed test (run again with --nocapture), and
//                  a summary; exits 1 if any test failed.
//
// Without --tests the program runs once and its exit code is the runner's; a
// trap (what a panic becomes) exits 134, like SIGABRT.
//
// Needs Node 18.17 or later: node:wasi without a flag and with `version`
// (Debian 12's nodejs is 18.20).

import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { argv, exit, stderr, stdout } from 'node:process';
import { WASI } from 'node:wasi';

function usage(message) {
  stderr.write(`wasi-run: ${message}\n` +
    'usage: node scripts/wasi-run.mjs [--dir PATH]... [--env NAME=VALUE]... [--tests] FILE.wasm [ARG]...\n');
  exit(2);
}

const preopens = {};
const env = {};
let tests = false;
const rest = argv.slice(2);
while (rest.length > 0 && rest[0].startsWith('--')) {
  const flag = rest.shift();
  if (flag === '--tests') {
    tests = true;
  } else if (flag === '--dir' || flag === '--env') {
    const value = rest.shift();
    if (value === undefined) usage(`${flag} needs a value`);
    if (flag === '--dir') {
      const path = resolve(value);
      preopens[path] = path;
    } else {
      const eq = value.indexOf('=');
      if (eq <= 0) usage(`--env takes NAME=VALUE, not ${JSON.stringify(value)}`);
      env[value.slice(0, eq)] = value.slice(eq + 1);
    }
  } else {
    usage(`unknown option ${flag}`);
  }
}
const [file, ...args] = rest;
if (file === undefined) usage('no FILE.wasm');

// Node prints an ExperimentalWarning for node:wasi; it says nothing about the
// program, so keep it out of the test output.
process.removeAllListeners('warning');

const module = await WebAssembly.compile(readFileSync(file));

// One run of the program in a fresh instance. `out`/`err` are file
// descriptors (default: ours). Returns the exit code, or 134 on a trap.
async function run(programArgs, { out = 1, err = 2 } = {}) {
  const wasi = new WASI({
    version: 'preview1',
    args: [basename(file), ...programArgs],
    env,
    preopens,
    stdout: out,
    stderr: err,
    returnOnExit: true,
  });
  // `wasiImport` rather than getImportObject(), which Node 18 lacks.
  const instance = await WebAssembly.instantiate(module, {
    wasi_snapshot_preview1: wasi.wasiImport,
  });
  try {
    return wasi.start(instance);
  } catch (error) {
    if (error instanceof WebAssembly.RuntimeError) {
      const line = `wasi-run: ${basename(file)} trapped (${error.message}): a panic, which aborts on wasm32-wasip1\n`;
      writeSync(err, line);
      return 134;
    }
    throw error;
  }
}

// Runs the program with its stdout and stderr in a scratch file; returns
// [exit code, output].
async function captured(programArgs) {
  const dir = mkdtempSync(join(tmpdir(), 'wasi-run-'));
  const path = join(dir, 'out');
  const fd = openSync(path, 'w+');
  try {
    const code = await run(programArgs, { out: fd, err: fd });
    return [code, readFileSync(path, 'utf8')];
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (!tests) {
  exit(await run(args));
}

// --tests: list, then one instance per test.
const filter = args[0];
const [listed, listing] = await captured(['--list', '--format', 'terse']);
if (listed !== 0) {
  stderr.write(listing);
  stderr.write(`wasi-run: ${basename(file)} --list failed (exit ${listed})\n`);
  exit(1);
}
const names = listing
  .split('\n')
  .filter((line) => line.endsWith(': test'))
  .map((line) => line.slice(0, -': test'.length))
  .filter((name) => filter === undefined || name.includes(filter));

stdout.write(`\nrunning ${names.length} test${names.length === 1 ? '' : 's'} of ${basename(file)}, each in its own instance\n`);
const counts = { passed: 0, failed: 0, ignored: 0 };
const failed = [];
for (const name of names) {
  const [code, output] = await captured([name, '--exact', '--test-threads=1']);
  const line = output.split('\n').find((l) => l.startsWith(`test ${name} ... `));
  if (code === 0 && line !== undefined) {
    stdout.write(`${line}\n`);
    if (line.includes(' ... ignored')) counts.ignored += 1; else counts.passed += 1;
  } else {
    stdout.write(`test ${name} ... FAILED\n`);
    counts.failed += 1;
    failed.push(name);
  }
}
for (const name of failed) {
  // Captured output is lost when a panic aborts: show it, uncaptured.
  const [code, output] = await captured([name, '--exact', '--test-threads=1', '--nocapture']);
  stdout.write(`\n---- ${name} (exit ${code}) ----\n${output}`);
}
const verdict = counts.failed === 0 ? 'ok' : 'FAILED';
stdout.write(
  `\ntest result: ${verdict}. ${counts.passed} passed; ${counts.failed} failed; ` +
  `${counts.ignored} ignored (${basename(file)} under node:wasi)\n`,
);
exit(counts.failed === 0 ? 0 : 1);

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { tailLines } from './broker-config';

export const INSTALL_HINT =
  'Install a JDK 17+ and Maven (Debian/Ubuntu: apt-get install openjdk-17-jre-headless maven), ' +
  'or set KAFKA_BROKERS to a running Kafka broker.';

/** JAVA_HOME wins over PATH, as in Kafka's own launch scripts. */
export function javaCommand(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

export interface ToolResult {
  code: number | null;
  output: string;
}

/**
 * Runs a command to completion and collects stdout and stderr together. A command that is not
 * installed fails with what to install rather than with a bare ENOENT.
 */
export function runTool(command: string, args: string[]): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') reject(new Error(`'${command}' was not found. ${INSTALL_HINT}`));
      else reject(error);
    });
    child.once('close', (code) =>
      resolve({ code, output: Buffer.concat(chunks).toString('utf8') }),
    );
  });
}

/** Like runTool, but a non-zero exit is an error that quotes the end of the command's output. */
export async function runToolOrFail(what: string, command: string, args: string[]): Promise<void> {
  const { code, output } = await runTool(command, args);
  if (code !== 0) {
    throw new Error(`${what} failed (exit code ${code}):\n${tailLines(stripAnsi(output), 30)}`);
  }
}

/** Fails early, with what to install, when java is missing or too old for Kafka 3.9 (Java 11+). */
export async function checkJava(): Promise<void> {
  const { code, output } = await runTool(javaCommand(), ['-version']);
  const match = /version "(\d+)(?:\.(\d+))?/.exec(output);
  if (code !== 0 || !match) {
    throw new Error(`'${javaCommand()} -version' did not work:\n${output.trim()}\n${INSTALL_HINT}`);
  }
  // Java 8 and older report themselves as 1.x.
  const major = match[1] === '1' ? Number(match[2]) : Number(match[1]);
  if (major < 11) {
    throw new Error(
      `Kafka needs Java 11 or newer; ${javaCommand()} is Java ${major}. ${INSTALL_HINT}`,
    );
  }
}

// Maven colours its output even with -B on some terminals; escape codes make error messages unreadable.
function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

// The test environment of the integration and chaos specs: the JSON log lines an engine or driver
// started inside a spec writes to stdout go to the spec's console instead, with what TypeORM and
// the rest log there, so that the quiet reporter can keep them out of a passing run and show them
// beside a failing one. Anything else on stdout (a spec's own figures) passes through.
const { TestEnvironment } = require('jest-environment-node');

const isLogLine = (text) => text.startsWith('{"time":');

class QuietEnvironment extends TestEnvironment {
  async setup() {
    await super.setup();
    const stdout = process.stdout;
    const write = stdout.write;
    this.restoreStdout = () => (stdout.write = write);
    stdout.write = (chunk, ...rest) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      if (!isLogLine(text)) return write.call(stdout, chunk, ...rest);
      this.global.console.log(text.trimEnd());
      const done = rest.find((arg) => typeof arg === 'function');
      if (done) process.nextTick(done);
      return true;
    };
  }

  async teardown() {
    this.restoreStdout?.();
    await super.teardown();
  }
}

module.exports = QuietEnvironment;

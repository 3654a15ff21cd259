// Jest's default reporter, less the console output of test files that passed: the logs of the
// engines, drivers, kafkajs and TypeORM a spec starts (see quiet-environment.js) are read when a
// spec fails, and are noise when it passes. A failing file's console is printed as before.
const { DefaultReporter } = require('@jest/reporters');

class QuietReporter extends DefaultReporter {
  onTestResult(test, result, aggregated) {
    const passed = result.numFailingTests === 0 && !result.testExecError && !result.failureMessage;
    super.onTestResult(test, passed ? { ...result, console: undefined } : result, aggregated);
  }
}

module.exports = QuietReporter;

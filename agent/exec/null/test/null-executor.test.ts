import assert from 'node:assert/strict';
import { test } from 'node:test';
import { executorSuite, type ExecutorFixture, type Workload } from '../../test/executor-suite.js';
import { makeTask } from '../../test/task-fixture.js';
import { InvalidTaskSpecError } from '../../errors.js';
import { NullExecutor } from '../null-executor.js';
import { LABEL_NULL_EXIT_CODE, LABEL_NULL_STDERR, LABEL_NULL_STDOUT } from '../null-program.js';

function nullWorkload(w: Workload): { labels: Record<string, string> } {
  const labels: Record<string, string> = {};
  if (w.stdout !== undefined) labels[LABEL_NULL_STDOUT] = w.stdout.join('\n');
  if (w.stderr !== undefined) labels[LABEL_NULL_STDERR] = w.stderr.join('\n');
  if (w.exitCode !== undefined) labels[LABEL_NULL_EXIT_CODE] = String(w.exitCode);
  return { labels };
}

const fixture: ExecutorFixture = {
  executor: new NullExecutor({ images: ['shoal/busybox:latest'] }),
  image: 'shoal/busybox:latest',
  missingImage: 'shoal/does-not-exist:1',
  workload: nullWorkload,
  graceMs: 0,
};

executorSuite('null', () => fixture);

test('null executor: a malformed exit-code label rejects the task with the label named', async () => {
  const ctl = new NullExecutor().controller(
    makeTask({ container: { labels: { [LABEL_NULL_EXIT_CODE]: 'x' } } }),
  );
  await assert.rejects(
    ctl.prepare(),
    (e: unknown) => e instanceof InvalidTaskSpecError && e.message.includes('exit-code'),
  );
});

test('null executor: without an image list every image exists; a plain task runs until stopped', async () => {
  const ctl = new NullExecutor().controller(makeTask({ container: { image: 'anything:1' } }));
  await ctl.prepare();
  await ctl.start();
  assert.equal((await ctl.inspect())?.running, true);
  await ctl.shutdown();
  assert.equal((await ctl.wait()).exitCode, 143);
});

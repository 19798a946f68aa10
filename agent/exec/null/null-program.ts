// What a null-executor task "does": the lines it prints when it starts and whether it exits at
// once (with which code) or runs until it is stopped. By default it is read from the container
// spec's labels, so a benchmark or test can ask a service for failing or chatty tasks:
//   io.shoal.null.exit-code=3           exit right after starting, with code 3
//   io.shoal.null.stdout=line1\nline2   print these lines on stdout at start (stderr likewise)
// Without labels a task runs until it is shut down, which is what a scale benchmark wants.

import type { Task } from '../../../api/objects/index.js';
import { InvalidTaskSpecError } from '../errors.js';

export const LABEL_NULL_EXIT_CODE = 'io.shoal.null.exit-code';
export const LABEL_NULL_STDOUT = 'io.shoal.null.stdout';
export const LABEL_NULL_STDERR = 'io.shoal.null.stderr';

export interface NullProgram {
  stdout: string[];
  stderr: string[];
  /** Exit code right after start; absent: runs until stopped. */
  exitCode?: number;
}

export function programFromLabels(task: Task): NullProgram {
  const labels = task.spec.containerSpec.labels;
  const lines = (v: string | undefined): string[] => (v === undefined || v === '' ? [] : v.split('\n'));
  const program: NullProgram = {
    stdout: lines(labels[LABEL_NULL_STDOUT]),
    stderr: lines(labels[LABEL_NULL_STDERR]),
  };
  const code = labels[LABEL_NULL_EXIT_CODE];
  if (code !== undefined) {
    const n = Number(code);
    if (!Number.isInteger(n) || n < 0 || n > 255) {
      throw new InvalidTaskSpecError(
        `containerSpec.labels.${LABEL_NULL_EXIT_CODE}`,
        `"${code}" is not an exit code (0-255)`,
      );
    }
    program.exitCode = n;
  }
  return program;
}

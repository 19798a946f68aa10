// The one door to the manager's part of a node (manager-side.ts): a dynamic import, so a worker's
// shoald never loads the manager's code. The module is loaded once and kept.

type ManagerSide = typeof import('./manager-side.js');

let loading: Promise<ManagerSide> | undefined;

export function loadManagerSide(): Promise<ManagerSide> {
  loading ??= import('./manager-side.js');
  return loading;
}

// Types for docker-names (Docker's adjective_surname generator), which ships none.
declare module 'docker-names' {
  interface DockerNames {
    /** A random "adjective_surname" name; with `appendNumber`, a digit may be added. */
    getRandomName(appendNumber: boolean): string;
  }
  const dockerNames: DockerNames;
  export default dockerNames;
}

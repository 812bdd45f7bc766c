// Public API of the sweep stage (models x checkpoints on Slurm job arrays or locally); re-exported by src/index.ts.
export * from "./schedule";
export * from "./models";
export * from "./resources";
export * from "./manifest";
export * from "./slurm";
export * from "./task";
export * from "./status";
export * from "./merge";
export * from "./local";

// Public API of the dynamics stage; re-exported by src/index.ts.
export {};

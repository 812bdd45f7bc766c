// Public API of the predict stage; re-exported by src/index.ts.
export {};

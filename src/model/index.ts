// Public API of the model stage; re-exported by src/index.ts.
export {};

// Public API of the record stage; re-exported by src/index.ts.
export {};
